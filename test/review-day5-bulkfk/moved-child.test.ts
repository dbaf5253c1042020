// A bulk UPDATE that moves a held child to another parent (`update(Child).values({ parentId: 2 })`)
// changes the row's foreign key, so the relationships that the session holds loaded over that key must
// say so too: the child's many-to-one points at the new parent (or is unloaded when that parent is not
// held), the old parent's loaded collection no longer holds it and the new parent's does, all as what
// the database has (nothing for the flush to write). SQLAlchemy's synchronize_session refreshes column
// attributes only; left so, deleting the old parent with a delete cascade deleted the moved child, taking
// it out of the old parent's collection set its key to NULL, and the new parent's collection did not know
// it (assigning that collection did not unlink it).
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  inspect,
  model,
  NotLoadedError,
  Registry,
  relationship,
  String,
  select,
  selectinload,
  update,
} from "../../src/index.ts"
import type { SynchronizeSession } from "../../src/orm/bulk-sync.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
/** Back-populated, with a delete cascade (no delete-orphan: taking a child out unlinks it). */
class Parent extends model(
  "r5k_mc_parents",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(20)),
    children: relationship<Child[]>("Child", { backPopulates: "parent", cascade: ["save-update", "delete"] }),
  },
  { registry },
) {}
class Child extends model(
  "r5k_mc_children",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(20)),
    parentId: column(Integer, { nullable: true, foreignKey: "r5k_mc_parents.id" }),
    parent: relationship<Parent | null>("Parent", { backPopulates: "children" }),
  },
  { registry },
) {}
/** One-way, with delete-orphan: the child has no many-to-one. */
class Box extends model(
  "r5k_mc_boxes",
  {
    id: column(Integer, { primaryKey: true }),
    items: relationship<Item[]>("Item", { cascade: "all, delete-orphan" }),
  },
  { registry },
) {}
class Item extends model(
  "r5k_mc_items",
  {
    id: column(Integer, { primaryKey: true }),
    boxId: column(Integer, { nullable: true, foreignKey: "r5k_mc_boxes.id" }),
  },
  { registry },
) {}
registry.registerModels(Parent, Child, Box, Item)

const MODES: SynchronizeSession[] = ["auto", "evaluate", "fetch"]

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a bulk UPDATE moving a held child to another parent, on ${fixture.name}`, () => {
    const scope = `r5k-mc-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    /** Parents 1, 2, 3 with children 1, 2 (of 1) and 3 (of 2); boxes 1, 2 with items 1, 2 (of 1) and 3 (of 2). */
    async function seed(): Promise<void> {
      await using s = new AsyncSession(engine)
      await s.execute(deleteFrom(Child), { synchronizeSession: false })
      await s.execute(deleteFrom(Parent), { synchronizeSession: false })
      await s.execute(deleteFrom(Item), { synchronizeSession: false })
      await s.execute(deleteFrom(Box), { synchronizeSession: false })
      s.addAll([
        new Parent({ id: 1, name: "p1" }),
        new Parent({ id: 2, name: "p2" }),
        new Parent({ id: 3, name: "p3" }),
        new Box({ id: 1 }),
        new Box({ id: 2 }),
      ])
      await s.flush()
      s.addAll([
        new Child({ id: 1, name: "c1", parentId: 1 }),
        new Child({ id: 2, name: "c2", parentId: 1 }),
        new Child({ id: 3, name: "c3", parentId: 2 }),
        new Item({ id: 1, boxId: 1 }),
        new Item({ id: 2, boxId: 1 }),
        new Item({ id: 3, boxId: 2 }),
      ])
      await s.commit()
    }

    async function rows(): Promise<{ children: unknown[][]; items: unknown[][] }> {
      await using r = new AsyncSession(engine)
      const all = async (statement: Parameters<AsyncSession["execute"]>[0]) =>
        (await r.execute(statement)).all().map((row) => [...(row as unknown as unknown[])])
      return {
        children: await all(select(Child.id, Child.parentId).orderBy(Child.id)),
        items: await all(select(Item.id, Item.boxId).orderBy(Item.id)),
      }
    }

    /** Parents 1 and 2 and boxes 1 and 2 with their collections, and the children's many-to-ones. */
    async function load(session: AsyncSession) {
      const parents = (
        await session.scalars(
          select(Parent)
            .where(Parent.id.in([1, 2]))
            .orderBy(Parent.id)
            .options(selectinload(Parent.children).selectinload(Child.parent)),
        )
      ).all() as Parent[]
      const boxes = (
        await session.scalars(select(Box).orderBy(Box.id).options(selectinload(Box.items)))
      ).all() as Box[]
      const [p1, p2] = parents as [Parent, Parent]
      const [b1, b2] = boxes as [Box, Box]
      const c1 = p1.children.find((c) => c.id === 1) as Child
      const i1 = b1.items.find((i) => i.id === 1) as Item
      return { p1, p2, b1, b2, c1, i1 }
    }

    async function move(session: AsyncSession, mode: SynchronizeSession): Promise<void> {
      await session.execute(update(Child).where(Child.id.eq(1)).values({ parentId: 2 }), {
        synchronizeSession: mode,
      })
      await session.execute(update(Item).where(Item.id.eq(1)).values({ boxId: 2 }), {
        synchronizeSession: mode,
      })
    }

    for (const mode of MODES) {
      it(`(${mode}) the relationships follow the key: many-to-one, old and new collections, as committed`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const { p1, p2, b1, b2, c1, i1 } = await load(session)
        await move(session, mode)
        expect(c1.parentId).toBe(2)
        expect(c1.parent).toBe(p2)
        expect(p1.children.map((c) => c.id).sort()).toEqual([2])
        expect(p2.children.map((c) => c.id).sort()).toEqual([1, 3])
        expect(b1.items.map((i) => i.id).sort()).toEqual([2])
        expect(b2.items.map((i) => i.id).sort()).toEqual([1, 3])
        expect(i1.boxId).toBe(2)
        // As the database has it: the commit has nothing to write.
        const before = (await fixture.stats(scope))?.statements
        expect(before).toBeGreaterThan(0)
        await session.commit()
        expect((await fixture.stats(scope))?.statements).toBe(before)
        expect(await rows()).toEqual({
          children: [
            [1, 2],
            [2, 1],
            [3, 2],
          ],
          items: [
            [1, 2],
            [2, 1],
            [3, 2],
          ],
        })
      })

      it(`(${mode}) deleting the old parent with a delete cascade leaves the moved child`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const { p1, b1 } = await load(session)
        await move(session, mode)
        await session.delete(p1)
        await session.delete(b1)
        await session.commit()
        expect(await rows()).toEqual({
          children: [
            [1, 2],
            [3, 2],
          ],
          items: [
            [1, 2],
            [3, 2],
          ],
        })
      })

      it(`(${mode}) emptying the old parent's collection leaves the moved child's new key`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const { p1, b1 } = await load(session)
        await move(session, mode)
        p1.children = []
        b1.items = []
        await session.commit()
        expect(await rows()).toEqual({
          children: [
            [1, 2],
            [2, null],
            [3, 2],
          ],
          // delete-orphan: item 2 is deleted, not item 1
          items: [
            [1, 2],
            [3, 2],
          ],
        })
      })

      it(`(${mode}) the new parent's collection holds the moved child: emptying it unlinks it too`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const { p2, b2 } = await load(session)
        await move(session, mode)
        p2.children = []
        b2.items = []
        await session.commit()
        expect(await rows()).toEqual({
          children: [
            [1, null],
            [2, 1],
            [3, null],
          ],
          items: [[2, 1]],
        })
      })

      it(`(${mode}) moved inside a savepoint that rolls back: no loaded relationship says it moved`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const { p1, p2, c1 } = await load(session)
        await session.begin()
        const savepoint = await session.beginNested()
        await move(session, mode)
        expect(c1.parent).toBe(p2)
        await savepoint.rollback()
        expect(c1.parentId).toBe(1)
        // Each either as the database has it again, or unloaded (refresh() loads it).
        const read = (get: () => unknown) => {
          try {
            return get()
          } catch (error) {
            expect(error).toBeInstanceOf(NotLoadedError)
            return "unloaded"
          }
        }
        expect([p1, "unloaded"]).toContain(read(() => c1.parent))
        expect([[1, 2], "unloaded"]).toContainEqual(read(() => p1.children.map((c) => c.id).sort()))
        expect([[3], "unloaded"]).toContainEqual(read(() => p2.children.map((c) => c.id)))
        await session.refresh(p1, ["children"])
        await session.refresh(p2, ["children"])
        await session.delete(p2)
        await session.commit()
        expect((await rows()).children).toEqual([
          [1, 1],
          [2, 1],
        ])
      })

      it(`(${mode}) a bulk DELETE of a held child: its old parent's cascade and unlink write nothing about it`, async () => {
        // The gone child stays in the loaded collection until it is reloaded, as after a flush's delete
        // (test/review-day5-upsert/stale-member.test.ts): what is done with the collection skips it.
        await seed()
        await using session = new AsyncSession(engine)
        const { p1, p2, b1, c1 } = await load(session)
        await session.execute(deleteFrom(Child).where(Child.id.eq(1)), { synchronizeSession: mode })
        await session.execute(deleteFrom(Item).where(Item.id.eq(1)), { synchronizeSession: mode })
        expect(inspect(c1).state).toBe("detached")
        p2.children = []
        b1.items = []
        await session.delete(p1)
        await session.commit()
        expect(await rows()).toEqual({ children: [[3, null]], items: [[3, 2]] })
      })

      it(`(${mode}) without autoflush, a move the application has not flushed stands over the bulk one`, async () => {
        await seed()
        await using session = new AsyncSession(engine, { autoflush: false })
        const { p1, p2, c1, b1, b2, i1 } = await load(session)
        // Taken out of parent 1 in memory (its many-to-one is null now); item 1 out of box 1.
        p1.children.splice(p1.children.indexOf(c1), 1)
        b1.items.splice(b1.items.indexOf(i1), 1)
        await move(session, mode)
        expect([c1.parent, p1.children.includes(c1), p2.children.includes(c1)]).toEqual([null, false, false])
        // One-way: the box's collection has no other side to say; the application did not touch box 2's.
        expect([b1.items.includes(i1), b2.items.includes(i1)]).toEqual([false, true])
        await session.commit()
        expect(await rows()).toEqual({
          children: [
            [1, null],
            [2, 1],
            [3, 2],
          ],
          // Item 1 is box 2's, in the database and in box 2's collection: not box 1's orphan.
          items: [
            [1, 2],
            [2, 1],
            [3, 2],
          ],
        })
        // Nothing in memory says child 1 is parent 2's: deleting it leaves child 1.
        await session.delete(p2)
        await session.commit()
        expect((await rows()).children).toEqual([
          [1, null],
          [2, 1],
        ])
      })

      it(`(${mode}) a new parent the session does not hold: the many-to-one is unloaded, not wrong`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const { p1, c1 } = await load(session)
        await session.execute(update(Child).where(Child.id.eq(1)).values({ parentId: 3 }), {
          synchronizeSession: mode,
        })
        expect(c1.parentId).toBe(3)
        expect(() => c1.parent).toThrow(NotLoadedError)
        expect(p1.children.map((c) => c.id)).toEqual([2])
        await session.refresh(c1, ["parent"])
        expect(c1.parent?.id).toBe(3)
        await session.delete(p1)
        await session.commit()
        expect((await rows()).children).toEqual([
          [1, 3],
          [3, 2],
        ])
      })

      it(`(${mode}) a key set to NULL: the many-to-one is null and the old collection lets it go`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const { p1, c1 } = await load(session)
        await session.execute(update(Child).where(Child.id.eq(1)).values({ parentId: null }), {
          synchronizeSession: mode,
        })
        expect(c1.parent).toBeNull()
        expect(p1.children.map((c) => c.id)).toEqual([2])
        await session.delete(p1)
        await session.commit()
        expect((await rows()).children).toEqual([
          [1, null],
          [3, 2],
        ])
      })
    }
  })
}
