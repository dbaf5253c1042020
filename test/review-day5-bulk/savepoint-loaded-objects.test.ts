// Rolling back a savepoint puts the session's objects back to what the database holds again. Objects
// the savepoint inserted go with their rows (transient again); before the fix, so did every object
// the session came to hold inside it: a row merely loaded there (by a query, get() or a bulk
// statement's RETURNING) became transient, without its key, and add() would have inserted it again.
// Loaded objects stay persistent, without what the savepoint wrote on them.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  insert,
  inspect,
  model,
  Registry,
  String,
  select,
  update,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Box extends model(
  "r5b_sp_boxes",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    qty: column(Integer),
  },
  { registry },
) {}
registry.registerModels(Box)

const fixtures = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("r5b-savepoint-loaded-objects"), "db.sqlite")),
]
for (const fixture of fixtures) {
  describe(`objects first held inside a savepoint that rolls back, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5b-sp-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    /** Boxes a (qty 1) and b (qty 2); their ids. */
    async function seed(): Promise<{ a: number; b: number }> {
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(Box), { synchronizeSession: false })
      const a = new Box({ label: "a", qty: 1 })
      const b = new Box({ label: "b", qty: 2 })
      session.addAll([a, b])
      await session.commit()
      return { a: a.id, b: b.id }
    }

    async function stored(): Promise<unknown[][]> {
      await using reading = new AsyncSession(engine)
      const rows = await reading.execute(select(Box.label, Box.qty).orderBy(Box.label))
      return rows.all().map((row) => [...row])
    }

    it("keeps an object a query loaded there persistent, under its key", async () => {
      const ids = await seed()
      await using session = new AsyncSession(engine)
      const savepoint = await session.beginNested()
      const a = (await session.scalars(select(Box).where(Box.label.eq("a")))).one()
      const b = await session.get(Box, ids.b)
      await savepoint.rollback()
      expect([inspect(a).state, inspect(b as Box).state]).toEqual(["persistent", "persistent"])
      expect([a.id, a.label, a.qty]).toEqual([ids.a, "a", 1])
      expect(await session.get(Box, ids.a)).toBe(a)
      // Changed afterwards, it is updated, not inserted again.
      a.qty = 3
      await session.commit()
      expect(await stored()).toEqual([
        ["a", 3],
        ["b", 2],
      ])
    })

    it("undoes on a loaded object what the savepoint's flush and bulk UPDATE wrote on it", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const savepoint = await session.beginNested()
      const [a, b] = (await session.scalars(select(Box).orderBy(Box.label))).all() as [Box, Box]
      a.qty = 10
      await session.flush()
      await session.execute(update(Box).where(Box.label.eq("b")).values({ qty: 20 }))
      expect([a.qty, b.qty]).toEqual([10, 20])
      await savepoint.rollback()
      expect([a.qty, b.qty]).toEqual([1, 2])
      expect([inspect(a).state, inspect(b).state]).toEqual(["persistent", "persistent"])
      expect([session.isModified(a), session.isModified(b)]).toEqual([false, false])
      await session.commit()
      expect(await stored()).toEqual([
        ["a", 1],
        ["b", 2],
      ])
    })

    it("drops the changes not flushed on an object loaded there, as on the others", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const a = (await session.scalars(select(Box).where(Box.label.eq("a")))).one()
      const savepoint = await session.beginNested()
      const b = (await session.scalars(select(Box).where(Box.label.eq("b")))).one()
      a.qty = 10
      b.qty = 20
      await savepoint.rollback()
      expect([a.qty, b.qty]).toEqual([1, 2])
      expect([session.isModified(a), session.isModified(b)]).toEqual([false, false])
      await session.commit()
      expect(await stored()).toEqual([
        ["a", 1],
        ["b", 2],
      ])
    })

    it("takes back a loaded object the savepoint deleted, by a flush or a bulk DELETE", async () => {
      const ids = await seed()
      await using session = new AsyncSession(engine)
      const savepoint = await session.beginNested()
      const [a, b] = (await session.scalars(select(Box).orderBy(Box.label))).all() as [Box, Box]
      await session.delete(a)
      await session.flush()
      await session.execute(deleteFrom(Box).where(Box.label.eq("b")))
      // Their rows deleted by the open transaction: 'deleted' until it ends (SQLAlchemy's).
      expect([inspect(a).state, inspect(b).state]).toEqual(["deleted", "deleted"])
      await savepoint.rollback()
      expect([inspect(a).state, inspect(b).state]).toEqual(["persistent", "persistent"])
      expect(await session.get(Box, ids.a)).toBe(a)
      expect(await session.get(Box, ids.b)).toBe(b)
      b.qty = 5
      await session.commit()
      expect(await stored()).toEqual([
        ["a", 1],
        ["b", 5],
      ])
    })

    it("leaves deleted what the transaction deleted before the savepoint", async () => {
      const ids = await seed()
      await using session = new AsyncSession(engine)
      await session.begin()
      const a = (await session.get(Box, ids.a)) as Box
      await session.delete(a)
      await session.flush()
      const savepoint = await session.beginNested()
      await savepoint.rollback()
      expect(inspect(a).state).toBe("deleted")
      expect(await session.get(Box, ids.a)).toBeNull()
      await session.commit()
      expect(inspect(a).state).toBe("detached")
      expect(await stored()).toEqual([["b", 2]])
    })

    it("makes transient again what it inserted, by a flush or by INSERT ... RETURNING", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const savepoint = await session.beginNested()
      const flushed = new Box({ label: "c", qty: 3 })
      session.add(flushed)
      await session.flush()
      const returned = (
        await session.execute(insert(Box).values({ label: "d", qty: 4 }).returning(Box))
      ).scalar() as Box
      const returnedId = returned.id
      expect(await session.get(Box, returnedId)).toBe(returned)
      await savepoint.rollback()
      expect([inspect(flushed).state, inspect(returned).state]).toEqual(["transient", "transient"])
      // Its row is gone: the session does not answer for it from memory.
      expect(await session.get(Box, returnedId)).toBeNull()
      await session.commit()
      expect(await stored()).toEqual([
        ["a", 1],
        ["b", 2],
      ])
    })
  })
}
