// A new object given its parent by key (`new Child({ parentId: 1 })`, as a request body gives it) whose
// many-to-one was read while it was pending (a serializer, a validator) read null, and kept that null as
// loaded: once committed, `child.parent` still said "no parent" while its row named one, and a query
// with joinedload(Child.parent) left the loaded null alone. SQLAlchemy answers None for the pending
// object without keeping it, and loads the parent afterwards. Now the read answers null without keeping
// it: committed, the relationship is unloaded (NotLoadedError, naming the fix), and a query loads it.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, insert, joinedload, NotLoadedError, select, selectinload } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { relationModels } from "./models.ts"

const { registry, Parent, Child } = relationModels("r9rel_pend")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a new object's many-to-one read while its key names a row, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r9rel-pend-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("is null while pending, then unloaded, and a query loads the row its key names", async () => {
      await engine.execute(insert(Parent).values({ id: 1, name: "p1" }))
      await using session = new AsyncSession(engine)
      const child = new Child({ id: 1, name: "c", parentId: 1 })
      expect(child.parent).toBe(null)
      session.add(child)
      await session.commit()
      expect(child.parentId).toBe(1)
      // Was: null, the row naming p1.
      expect(() => child.parent).toThrow(NotLoadedError)
      const loaded = (
        await session.scalars(select(Child).where(Child.id.eq(1)).options(joinedload(Child.parent)))
      ).one()
      expect(loaded).toBe(child)
      // Was: still null.
      expect(child.parent?.name).toBe("p1")
      const parent = (
        await session.scalars(select(Parent).where(Parent.id.eq(1)).options(selectinload(Parent.children)))
      ).one()
      expect(parent.children).toEqual([child])
      expect(child.parent).toBe(parent)
    })

    it("without a key it reads, and stays, null; an assignment after the read is written", async () => {
      await using session = new AsyncSession(engine)
      const orphan = new Child({ id: 2, name: "none" })
      expect(orphan.parent).toBe(null)
      const moved = new Child({ id: 3, name: "moved", parentId: 1 })
      expect(moved.parent).toBe(null)
      const p2 = new Parent({ id: 2, name: "p2" })
      moved.parent = p2
      session.add(orphan)
      session.add(moved)
      await session.commit()
      expect(orphan.parent).toBe(null)
      expect(moved.parentId).toBe(2)
      expect(moved.parent).toBe(p2)
      expect(p2.children).toEqual([moved])
    })
  })
}
