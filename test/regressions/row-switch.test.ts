// The row switch (src/orm/flush/row-switch.ts: a new object given the key of a row deleted in the same
// flush takes it over with one UPDATE), as a review of it exercised it: versions, children moved in and
// left behind, events, savepoints.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, inspect, listen, select, selectinload } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { RuChild, RuKid, RuPair, RuParent, registry } from "./row-switch-models.ts"
import { uowReviewCases } from "./uow-review-suite.ts"

let next = 1000
const id = () => ++next
const fixtures: TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]

for (const fixture of fixtures) {
  describe(`row switch on ${fixture.name}`, () => {
    const engine = fixture.engine(`ru-rs-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    uowReviewCases(fixture, engine)

    async function parent(withChildren = 0, withKids = 0): Promise<number> {
      await using s = new AsyncSession(engine)
      const key = id()
      const p = new RuParent({ id: key, name: `p${key}` })
      for (let i = 0; i < withChildren; i++) new RuChild({ id: id(), label: `c${i}`, parent: p })
      for (let i = 0; i < withKids; i++) new RuKid({ id: id(), label: `k${i}`, parent: p })
      s.add(p)
      await s.commit()
      return key
    }

    it("counts the version up from the row's", async () => {
      const key = await parent()
      await using s = new AsyncSession(engine)
      const old = (await s.get(RuParent, key))!
      old.note = "x"
      await s.commit()
      expect(old.version).toBe(2)
      await s.delete(old)
      const taker = new RuParent({ id: key, name: `n${key}` })
      s.add(taker)
      await s.commit()
      await using r = new AsyncSession(engine)
      const row = (await r.get(RuParent, key))!
      expect([row.name, row.version]).toEqual([`n${key}`, 3])
      expect(taker.version).toBe(3)
      expect(taker.createdAt).toBeInstanceOf(Date)
      expect(await s.get(RuParent, key)).toBe(taker)
      expect(inspect(taker).state).toBe("persistent")
    })

    it("keeps a loaded child moved into the new object's collection (no delete cascade)", async () => {
      const key = await parent(2)
      await using s = new AsyncSession(engine)
      const old = (await s.scalar(
        select(RuParent).where(RuParent.id.eq(key)).options(selectinload(RuParent.children)),
      ))!
      const [moved, left] = old.children as [RuChild, RuChild]
      await s.delete(old)
      const taker = new RuParent({ id: key, name: `n${key}` })
      taker.children.push(moved)
      s.add(taker)
      await s.commit()
      await using r = new AsyncSession(engine)
      expect((await r.get(RuChild, moved.id))?.parentId).toBe(key)
      expect((await r.get(RuChild, left.id))?.parentId).toBe(null)
      expect(moved.parentId).toBe(key)
    })

    it("keeps a child taken by its many-to-one from a never-loaded collection", async () => {
      const key = await parent(2)
      await using s = new AsyncSession(engine)
      const children = (
        await s.scalars(select(RuChild).where(RuChild.parentId.eq(key)).orderBy(RuChild.id))
      ).all()
      const old = (await s.get(RuParent, key))!
      await s.delete(old)
      const taker = new RuParent({ id: key, name: `n${key}` })
      s.add(taker)
      children[0]!.parent = taker
      await s.commit()
      await using r = new AsyncSession(engine)
      expect((await r.get(RuChild, children[0]!.id))?.parentId).toBe(key)
      expect((await r.get(RuChild, children[1]!.id))?.parentId).toBe(null)
    })

    it("keeps a delete-cascade kid moved to the new object; deletes the others", async () => {
      const key = await parent(0, 2)
      await using s = new AsyncSession(engine)
      const old = (await s.scalar(
        select(RuParent).where(RuParent.id.eq(key)).options(selectinload(RuParent.kids)),
      ))!
      const [moved, gone] = old.kids as [RuKid, RuKid]
      await s.delete(old)
      const taker = new RuParent({ id: key, name: `n${key}`, kids: [moved] })
      s.add(taker)
      await s.commit()
      await using r = new AsyncSession(engine)
      expect((await r.get(RuKid, moved.id))?.parentId).toBe(key)
      expect(await r.get(RuKid, gone.id)).toBe(null)
    })

    it("fires no delete events for the row taken over (SQLAlchemy: remove_state_actions)", async () => {
      const key = await parent()
      const seen: string[] = []
      const stops = [
        listen(RuParent, "afterDelete", (p) => seen.push(`delete ${p.name}`)),
        listen(RuParent, "afterInsert", (p) => seen.push(`insert ${p.name}`)),
        listen(RuParent, "afterUpdate", (p) => seen.push(`update ${p.name}`)),
      ]
      try {
        await using s = new AsyncSession(engine)
        const old = (await s.get(RuParent, key))!
        await s.delete(old)
        s.add(new RuParent({ id: key, name: `n${key}` }))
        await s.commit()
      } finally {
        for (const stop of stops) stop()
      }
      // An UPDATE of the row, as SQLAlchemy tells it: no insert, and no delete that never happened.
      expect(seen).toEqual([`update n${key}`])
    })

    it("undoes a row switch with its savepoint", async () => {
      const key = await parent()
      await using s = new AsyncSession(engine)
      const old = (await s.get(RuParent, key))!
      const sp = await s.beginNested()
      await s.delete(old)
      const taker = new RuParent({ id: key, name: `n${key}` })
      s.add(taker)
      await s.flush()
      await sp.rollback()
      expect(inspect(old).state).toBe("persistent")
      expect(inspect(taker).state).toBe("transient")
      expect(await s.get(RuParent, key)).toBe(old)
      old.note = "after"
      await s.commit()
      await using r = new AsyncSession(engine)
      const row = (await r.get(RuParent, key))!
      expect([row.name, row.note]).toEqual([`p${key}`, "after"])
    })

    it("a failed row-switch flush leaves the delete and the new object to retry", async () => {
      const key = await parent()
      const other = await parent()
      await using s = new AsyncSession(engine)
      const old = (await s.get(RuParent, key))!
      await s.delete(old)
      const taker = new RuParent({ id: key, name: `n${key}` })
      s.add(taker)
      const clash = new RuParent({ id: id(), name: `p${other}` })
      s.add(clash)
      await expect(s.commit()).rejects.toThrow()
      // Still marked for deletion: persistent until a flush deletes its row (SQLAlchemy's).
      expect(inspect(old).state).toBe("persistent")
      expect(s.deleted).toEqual([old])
      expect(inspect(taker).state).toBe("pending")
      s.expunge(clash)
      await s.commit()
      await using r = new AsyncSession(engine)
      expect((await r.get(RuParent, key))?.name).toBe(`n${key}`)
      expect(inspect(old).state).toBe("detached")
    })

    it("switches a row of a composite key", async () => {
      const a = id()
      {
        await using s = new AsyncSession(engine)
        s.add(new RuPair({ a, b: 1, label: "old" }))
        s.add(new RuPair({ a, b: 2, label: "other" }))
        await s.commit()
      }
      await using s = new AsyncSession(engine)
      const old = (await s.get(RuPair, [a, 1]))!
      await s.delete(old)
      const taker = new RuPair({ a, b: 1, label: "new" })
      s.add(taker)
      await s.commit()
      await using r = new AsyncSession(engine)
      expect((await r.get(RuPair, [a, 1]))?.label).toBe("new")
      expect((await r.get(RuPair, [a, 2]))?.label).toBe("other")
    })
  })
}
