// A ReadSession runs DML too (session.execute(deleteFrom(Item).where(...).returning(Item))), and kept the
// objects of the rows its DELETE returned in its identity map, persistent: a get() of their keys then
// answered with an object whose row was gone, without asking the database. SQLAlchemy's session does not
// keep a deleted row's object as persistent. They now leave the session (detached), and get() asks the
// database, which has no row. (AsyncSession keeps them as deleted, as before: its own tests.)
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  column,
  deleteFrom,
  Integer,
  inspect,
  model,
  ReadSession,
  Registry,
  String,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Crate extends model(
  "r11st_crates",
  { id: column(Integer, { primaryKey: true }), label: column(String(20)) },
  { registry },
) {}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`ReadSession's DELETE ... RETURNING on ${fixture.name}`, () => {
    const scope = `r11st-delete-returning-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    it("lets go of the objects of the rows it deleted: get() asks the database and finds none", async () => {
      await engine.execute(text("INSERT INTO r11st_crates (id, label) VALUES (1, 'a'), (2, 'b'), (3, 'c')"))
      await using session = new ReadSession(engine)
      const held = (await session.get(Crate, 1)) as Crate
      const deleted = await session.scalars(
        deleteFrom(Crate)
          .where(Crate.id.in([1, 2]))
          .returning(Crate),
      )
      const objects = deleted.all()
      // The held object is the one returned, its row gone; the other was never held.
      expect(objects.map((crate) => crate.id).sort()).toEqual([1, 2])
      expect(objects).toContain(held)
      for (const crate of objects) expect(inspect(crate).state).toBe("detached")

      const before = (await fixture.stats(scope))?.httpRequests ?? 0
      expect(await session.get(Crate, 1)).toBeNull()
      expect(await session.get(Crate, 2)).toBeNull()
      // Each get() asked the database.
      expect(((await fixture.stats(scope))?.httpRequests ?? 0) - before).toBe(2)
      // A row it did not delete is still there, and held as before.
      expect((await session.get(Crate, 3))?.label).toBe("c")
    })
  })
}
