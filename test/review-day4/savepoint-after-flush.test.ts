// An afterFlush listener that throws inside a savepoint: the savepoint is rolled back (its rows are
// gone) and the enclosing transaction goes on. 89961ab left the flush's answer on the objects, for
// the savepoint's rollback() to take back. An application that caught the flush's error and went on
// without calling it (a savepoint's point: try, and carry on without what failed) then committed, and
// the new book stayed 'persistent' with the key of a row that never committed: commit() reported
// nothing lost, and the session handed the book out as saved. (A database failure in the same place
// leaves the book pending, and the commit writes it; before 89961ab so did this one.) Now the objects
// go back to the savepoint when it takes the failure, as its rollback() puts them (which may still be
// called: it does the same again).
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, column, Integer, inspect, model, Registry, String, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Entry extends model(
  "rv4_sp_entries",
  { id: column(Integer, { primaryKey: true }), title: column(String(60)) },
  { registry },
) {}
registry.registerModels(Entry)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`an afterFlush listener that throws in a savepoint on ${fixture.name}`, () => {
    const engine = fixture.engine(`rv4-sp-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const titles = async (prefix: string) => {
      await using reader = new AsyncSession(engine)
      const rows = await reader.scalars(select(Entry.c.title).where(Entry.c.title.like(`${prefix}%`)))
      return rows.all().sort()
    }

    it("leaves no object claiming a row the savepoint took back, when the error is caught and the work goes on", async () => {
      await using session = new AsyncSession(engine)
      const outer = new Entry({ title: `${fixture.name}-outer` })
      session.add(outer)
      await session.beginNested()
      let fail = true
      session.on("afterFlush", () => {
        if (fail) throw new Error("audit sink down")
      })
      const inner = new Entry({ title: `${fixture.name}-inner` })
      session.add(inner)
      await expect(session.flush()).rejects.toThrow("audit sink down")
      fail = false
      // Was: persistent, with the key of the row the savepoint rolled back.
      expect([inspect(inner).state, inner.id]).toEqual(["transient", undefined])
      expect(inspect(outer).state).toBe("persistent")
      await session.commit()
      expect(await titles(fixture.name)).toEqual([`${fixture.name}-outer`])
      expect([inspect(inner).state, inner.id]).toEqual(["transient", undefined])
      session.add(inner)
      await session.commit()
      expect(await titles(fixture.name)).toEqual([`${fixture.name}-inner`, `${fixture.name}-outer`])
    })
  })
}
