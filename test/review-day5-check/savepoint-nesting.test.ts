// Savepoints inside savepoints, rolled back or released in every order, with objects loaded, written,
// inserted (by a flush or INSERT RETURNING) and deleted (by a flush or bulk DELETE RETURNING) at each
// level, and a commit that fails after a released savepoint: the rows and the objects end as the
// database has them. Passing on arrival (review of 37eafac, 65b00fc, 051d818, 4f4e3a1, cf460e3); kept
// as coverage of the nested orders those commits did not test.
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
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Box extends model(
  "r5c_sp_boxes",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    qty: column(Integer),
  },
  { registry },
) {}
registry.registerModels(Box)

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`nested savepoints, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5c-sp-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    async function seed() {
      await using s = new AsyncSession(engine)
      await s.execute(deleteFrom(Box), { synchronizeSession: false })
      const a = new Box({ label: "a", qty: 1 })
      const b = new Box({ label: "b", qty: 2 })
      s.addAll([a, b])
      await s.commit()
      return { a: a.id, b: b.id }
    }
    async function stored() {
      await using r = new AsyncSession(engine)
      return (await r.execute(select(Box.label, Box.qty).orderBy(Box.label))).all().map((x) => [...x])
    }
    it("loaded in inner, written, inner released, outer rolled back", async () => {
      await seed()
      await using s = new AsyncSession(engine)
      const sp1 = await s.beginNested()
      const sp2 = await s.beginNested()
      const a = (await s.scalars(select(Box).where(Box.label.eq("a")))).one()
      a.qty = 10
      await sp2.commit()
      await sp1.rollback()
      expect([a.qty, inspect(a).state, s.isModified(a)]).toEqual([1, "persistent", false])
      await s.commit()
      expect(await stored()).toEqual([
        ["a", 1],
        ["b", 2],
      ])
    })
    it("loaded in outer, written in inner rolled back, written in outer, outer rolled back", async () => {
      await seed()
      await using s = new AsyncSession(engine)
      const sp1 = await s.beginNested()
      const a = (await s.scalars(select(Box).where(Box.label.eq("a")))).one()
      const sp2 = await s.beginNested()
      a.qty = 10
      await s.flush()
      await sp2.rollback()
      expect(a.qty).toBe(1)
      a.qty = 11
      await s.flush()
      await sp1.rollback()
      expect([a.qty, inspect(a).state, s.isModified(a)]).toEqual([1, "persistent", false])
      a.qty = 12
      await s.commit()
      expect(await stored()).toEqual([
        ["a", 12],
        ["b", 2],
      ])
    })
    it("inserted in inner released, outer rolled back, then added again", async () => {
      await seed()
      await using s = new AsyncSession(engine)
      const sp1 = await s.beginNested()
      const sp2 = await s.beginNested()
      const c = new Box({ label: "c", qty: 3 })
      s.add(c)
      await sp2.commit()
      await sp1.rollback()
      expect(inspect(c).state).toBe("transient")
      s.add(c)
      await s.commit()
      expect(await stored()).toEqual([
        ["a", 1],
        ["b", 2],
        ["c", 3],
      ])
    })
    it("inserted by INSERT RETURNING in inner, inner rolled back, outer committed", async () => {
      await seed()
      await using s = new AsyncSession(engine)
      const sp1 = await s.beginNested()
      const sp2 = await s.beginNested()
      const [c] = (
        await s.scalars(
          insert(Box)
            .values([{ label: "c", qty: 3 }])
            .returning(Box),
        )
      ).all() as [Box]
      expect(inspect(c).state).toBe("persistent")
      await sp2.rollback()
      expect(inspect(c).state).toBe("transient")
      await sp1.commit()
      await s.commit()
      expect(await stored()).toEqual([
        ["a", 1],
        ["b", 2],
      ])
    })
    it("loaded before, deleted by flush in inner, inner rolled back, outer committed", async () => {
      const ids = await seed()
      await using s = new AsyncSession(engine)
      const a = (await s.get(Box, ids.a)) as Box
      const sp1 = await s.beginNested()
      const sp2 = await s.beginNested()
      await s.delete(a)
      await s.flush()
      await sp2.rollback()
      expect(inspect(a).state).toBe("persistent")
      expect(await s.get(Box, ids.a)).toBe(a)
      a.qty = 9
      await sp1.commit()
      await s.commit()
      expect(await stored()).toEqual([
        ["a", 9],
        ["b", 2],
      ])
    })
    it("bulk DELETE RETURNING in inner of an object loaded in outer; inner rolled back, outer rolled back", async () => {
      const ids = await seed()
      await using s = new AsyncSession(engine)
      const sp1 = await s.beginNested()
      const a = (await s.get(Box, ids.a)) as Box
      const sp2 = await s.beginNested()
      await s.execute(deleteFrom(Box).where(Box.label.eq("a")).returning(Box))
      // Its row deleted by the open transaction: 'deleted' until it ends (SQLAlchemy's).
      expect(inspect(a).state).toBe("deleted")
      await sp2.rollback()
      expect(inspect(a).state).toBe("persistent")
      await sp1.rollback()
      expect(inspect(a).state).toBe("persistent")
      expect(await s.get(Box, ids.a)).toBe(a)
      a.qty = 7
      await s.commit()
      expect(await stored()).toEqual([
        ["a", 7],
        ["b", 2],
      ])
    })
    it("bulk DELETE in inner released, outer rolled back: object loaded in outer", async () => {
      const ids = await seed()
      await using s = new AsyncSession(engine)
      const sp1 = await s.beginNested()
      const a = (await s.get(Box, ids.a)) as Box
      const sp2 = await s.beginNested()
      await s.execute(deleteFrom(Box).where(Box.label.eq("a")))
      await sp2.commit()
      expect(inspect(a).state).toBe("deleted")
      await sp1.rollback()
      expect(inspect(a).state).toBe("persistent")
      expect(await s.get(Box, ids.a)).toBe(a)
      a.qty = 7
      await s.commit()
      expect(await stored()).toEqual([
        ["a", 7],
        ["b", 2],
      ])
    })
    it("deleted before the savepoint (flushed), savepoint rolled back: stays deleted", async () => {
      const ids = await seed()
      await using s = new AsyncSession(engine)
      await s.begin()
      const a = (await s.get(Box, ids.a)) as Box
      await s.delete(a)
      await s.flush()
      const sp1 = await s.beginNested()
      const b = (await s.get(Box, ids.b)) as Box
      b.qty = 5
      await s.flush()
      await sp1.rollback()
      expect(inspect(a).state).toBe("deleted")
      expect(b.qty).toBe(2)
      await s.commit()
      expect(inspect(a).state).toBe("detached")
      expect(await stored()).toEqual([["b", 2]])
    })
    it("commit fails after a released savepoint: objects back to the database's", async () => {
      const ids = await seed()
      await using s = new AsyncSession(engine)
      const a = (await s.get(Box, ids.a)) as Box
      const sp1 = await s.beginNested()
      a.qty = 50
      const c = new Box({ label: "c", qty: 3 })
      s.add(c)
      await sp1.commit()
      const d = new Box({ label: "d", qty: 4 })
      d.id = c.id // duplicate key: the commit's flush fails
      s.add(d)
      await expect(s.commit()).rejects.toThrow()
      await s.rollback()
      expect([a.qty, s.isModified(a), inspect(a).state]).toEqual([1, false, "persistent"])
      expect(inspect(c).state).toBe("transient")
      expect(await stored()).toEqual([
        ["a", 1],
        ["b", 2],
      ])
    })
  })
}
