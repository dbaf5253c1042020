// More shapes of a bulk UPDATE that moves held rows (see ./moved-child.test.ts): a self-referential
// tree with several rows moved by one statement, and a one-to-one (a one-to-many with uselist false).
// Each relationship the session holds loaded over the changed key says what the
// rows say afterwards, and what the application then does with it writes only what it asked.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  model,
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
class Node extends model(
  "r5k_ms_nodes",
  {
    id: column(Integer, { primaryKey: true }),
    parentId: column(Integer, { nullable: true, foreignKey: "r5k_ms_nodes.id" }),
    parent: relationship<Node | null>("Node", { uselist: false, backPopulates: "children" }),
    children: relationship<Node[]>("Node", {
      uselist: true,
      backPopulates: "parent",
      cascade: ["save-update", "delete"],
    }),
  },
  { registry },
) {}
class Person extends model(
  "r5k_ms_people",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(20)),
    badge: relationship<Badge | null>("Badge", {
      uselist: false,
      backPopulates: "person",
      cascade: "all, delete-orphan",
    }),
  },
  { registry },
) {}
class Badge extends model(
  "r5k_ms_badges",
  {
    id: column(Integer, { primaryKey: true }),
    personId: column(Integer, { nullable: true, foreignKey: "r5k_ms_people.id" }),
    person: relationship<Person | null>("Person", { backPopulates: "badge" }),
  },
  { registry },
) {}
registry.registerModels(Node, Person, Badge)

const MODES: SynchronizeSession[] = ["auto", "evaluate", "fetch"]

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`more shapes of a bulk move, on ${fixture.name}`, () => {
    const scope = `r5k-ms-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    /** Nodes 1 and 2 (roots), 3 and 4 under 1, 5 under 2; people 1 (badge 1) and 2 (no badge). */
    async function seed(): Promise<void> {
      await using s = new AsyncSession(engine)
      await s.execute(update(Node).where(Node.id.gt(0)).values({ parentId: null }), {
        synchronizeSession: false,
      })
      await s.execute(deleteFrom(Node), { synchronizeSession: false })
      await s.execute(deleteFrom(Badge), { synchronizeSession: false })
      await s.execute(deleteFrom(Person), { synchronizeSession: false })
      s.addAll([
        new Node({ id: 1 }),
        new Node({ id: 2 }),
        new Person({ id: 1, name: "a" }),
        new Person({ id: 2, name: "b" }),
      ])
      await s.flush()
      s.addAll([
        new Node({ id: 3, parentId: 1 }),
        new Node({ id: 4, parentId: 1 }),
        new Node({ id: 5, parentId: 2 }),
        new Badge({ id: 1, personId: 1 }),
      ])
      await s.commit()
    }

    async function rows() {
      await using r = new AsyncSession(engine)
      const all = async (statement: Parameters<AsyncSession["execute"]>[0]) =>
        (await r.execute(statement)).all().map((row) => [...(row as unknown as unknown[])])
      return {
        nodes: await all(select(Node.id, Node.parentId).orderBy(Node.id)),
        badges: await all(select(Badge.id, Badge.personId).orderBy(Badge.id)),
      }
    }

    async function loadNodes(session: AsyncSession): Promise<Map<number, Node>> {
      const nodes = (
        await session.scalars(select(Node).options(selectinload(Node.children), selectinload(Node.parent)))
      ).all() as Node[]
      return new Map(nodes.map((node) => [node.id, node]))
    }

    for (const mode of MODES) {
      it(`(${mode}) a self-referential tree: every child of node 1 moved under node 2 by one statement`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const nodes = await loadNodes(session)
        const at = (id: number) => nodes.get(id) as Node
        await session.execute(update(Node).where(Node.parentId.eq(1)).values({ parentId: 2 }), {
          synchronizeSession: mode,
        })
        expect(at(1).children).toEqual([])
        expect(
          at(2)
            .children.map((n) => n.id)
            .sort(),
        ).toEqual([3, 4, 5])
        expect([at(3).parent, at(4).parent]).toEqual([at(2), at(2)])
        expect(at(3).parent).toBe(at(2))
        // Deleting node 1 with its (now empty) children cascade deletes it alone.
        await session.delete(at(1))
        await session.commit()
        expect((await rows()).nodes).toEqual([
          [2, null],
          [3, 2],
          [4, 2],
          [5, 2],
        ])
      })

      it(`(${mode}) a one-to-one: the badge moved to person 2 is hers; person 1's delete-orphan leaves it`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const people = (
          await session.scalars(
            select(Person).orderBy(Person.id).options(selectinload(Person.badge).selectinload(Badge.person)),
          )
        ).all() as Person[]
        const [a, b] = people as [Person, Person]
        const badge = a.badge as Badge
        await session.execute(update(Badge).where(Badge.id.eq(1)).values({ personId: 2 }), {
          synchronizeSession: mode,
        })
        expect([a.badge, b.badge, badge.person]).toEqual([null, badge, b])
        expect(b.badge).toBe(badge)
        expect(badge.person).toBe(b)
        await session.delete(a)
        await session.commit()
        expect((await rows()).badges).toEqual([[1, 2]])
        // Person 2 gives the badge up: an orphan, deleted.
        b.badge = null
        await session.commit()
        expect((await rows()).badges).toEqual([])
      })

      it(`(${mode}) an UPDATE of other columns relinks nothing`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const people = (
          await session.scalars(select(Person).orderBy(Person.id).options(selectinload(Person.badge)))
        ).all() as Person[]
        const [a] = people as [Person]
        const badge = a.badge
        await session.execute(update(Person).where(Person.id.eq(1)).values({ name: "a2" }), {
          synchronizeSession: mode,
        })
        expect([a.name, a.badge]).toEqual(["a2", badge])
      })
    }
  })
}
