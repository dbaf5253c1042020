// relationship(..., { orderBy }) orders a collection as SQLAlchemy's order_by does, by every way it
// loads: the loader options (selectinload, subqueryload, joinedload of a collection, nested), a `lazy:
// "selectin"` default, refresh and load, on AsyncSession and ReadSession; one-to-many, many-to-many
// through the association table, self-referential. Rows are inserted in an order that is neither the
// expected one nor the keys', and each read stays one request. Objects pushed in memory keep their place
// until the collection loads again.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  insert,
  joinedload,
  ReadSession,
  select,
  selectinload,
  subqueryload,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { orderModels } from "./models.ts"

const prefix = "r9ord"
const { registry, Parent, Child, Pet, Tag, Post, Node } = orderModels(prefix)

// By rank descending, then id: 2 and 4 (rank 3), 3 (rank 2), 1 (rank 1).
const CHILDREN = [2, 4, 3, 1]
const PETS = ["ace", "max", "rex"]
const TAGS = ["alpha", "mid", "zeta"]

const ids = (objects: readonly { id: number }[]) => objects.map((object) => object.id)
const labels = (objects: readonly { label: string }[]) => objects.map((object) => object.label)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a relationship's orderBy, on ${fixture.name}`, () => {
    const scope = `r9ord-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    const seed = async () => {
      for (const name of ["post_tags", "posts", "tags", "nodes", "pets", "children", "parents"]) {
        await engine.execute(text(`DELETE FROM ${prefix}_${name}`))
      }
      await engine.execute(insert(Parent).values({ id: 1, label: "p" }))
      const ranks: Record<number, number> = { 1: 1, 2: 3, 3: 2, 4: 3 }
      for (const id of [3, 1, 4, 2]) {
        await engine.execute(insert(Child).values({ id, rank: ranks[id] as number, parentId: 1 }))
      }
      for (const [id, label] of [
        [3, "max"],
        [1, "rex"],
        [2, "ace"],
      ] as const) {
        await engine.execute(insert(Pet).values({ id, label, ownerId: 1 }))
      }
      await engine.execute(insert(Post).values({ id: 1, title: "t" }))
      for (const [id, label] of [
        [1, "zeta"],
        [3, "mid"],
        [2, "alpha"],
      ] as const) {
        await engine.execute(insert(Tag).values({ id, label }))
        await engine.execute(text(`INSERT INTO ${prefix}_post_tags ("postId", "tagId") VALUES (1, ${id})`))
      }
      // Root 1; its children c (3), b (2), a (4); 3's children y (6), x (5).
      for (const [id, label, parentId] of [
        [1, "root", null],
        [4, "a", 1],
        [2, "b", 1],
        [3, "c", 1],
        [5, "x", 3],
        [6, "y", 3],
      ] as const) {
        await engine.execute(insert(Node).values({ id, label, parentId }))
      }
    }

    /** The requests `run` sends, as the stand-in counts them. */
    const requests = async (run: () => Promise<unknown>) => {
      const before = (await fixture.stats(scope))?.httpRequests ?? 0
      await run()
      return ((await fixture.stats(scope))?.httpRequests ?? 0) - before
    }

    it("orders what every loader option loads, in one request each", async () => {
      await seed()
      for (const option of [selectinload, subqueryload, joinedload]) {
        await using session = new AsyncSession(engine)
        let parent: InstanceType<typeof Parent> | undefined
        const sent = await requests(async () => {
          parent = (await session.scalars(select(Parent).options(option(Parent.children)))).one()
        })
        expect(sent).toBe(1)
        expect(ids(parent?.children ?? [])).toEqual(CHILDREN)
        // And the lazy "selectin" default, loaded with it.
        expect(labels(parent?.pets ?? [])).toEqual(PETS)
      }
    })

    it("orders a collection loaded from a level below, with a many-to-one joined into that level", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const query = select(Child)
        .where(Child.id.eq(1))
        .options(joinedload(Child.parent), selectinload(Child.parent).selectinload(Parent.children))
      let child: InstanceType<typeof Child> | undefined
      expect(await requests(async () => (child = (await session.scalars(query)).one()))).toBe(1)
      expect(ids(child?.parent?.children ?? [])).toEqual(CHILDREN)
    })

    it("orders a many-to-many through its association table", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      let post: InstanceType<typeof Post> | undefined
      const query = select(Post).options(selectinload(Post.tags))
      expect(await requests(async () => (post = (await session.scalars(query)).one()))).toBe(1)
      expect(labels(post?.tags ?? [])).toEqual(TAGS)
      // As refresh reads it too.
      expect(await requests(() => session.refresh(post as object, ["tags"]))).toBe(1)
      expect(labels(post?.tags ?? [])).toEqual(TAGS)
    })

    it("orders a self-referential collection at every depth", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const query = select(Node)
        .where(Node.id.eq(1))
        .options(selectinload(Node.children).selectinload(Node.children))
      let root: InstanceType<typeof Node> | undefined
      expect(await requests(async () => (root = (await session.scalars(query)).one()))).toBe(1)
      expect(labels(root?.children ?? [])).toEqual(["c", "b", "a"])
      expect(labels(root?.children[0]?.children ?? [])).toEqual(["y", "x"])
      expect(root?.children[2]?.children).toEqual([])
    })

    it("orders what refresh and load read", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const parent = (await session.scalars(select(Parent).options())).one()
      expect(await requests(() => session.refresh(parent, ["children"]))).toBe(1)
      expect(ids(parent.children)).toEqual(CHILDREN)
      const nodes = (
        await session.scalars(
          select(Node)
            .where(Node.id.in([1, 3]))
            .orderBy(Node.id),
        )
      ).all()
      expect(await requests(() => session.load(nodes, Node.children))).toBe(1)
      expect(nodes.map((node) => labels(node.children))).toEqual([
        ["c", "b", "a"],
        ["y", "x"],
      ])
    })

    it("orders what a ReadSession loads", async () => {
      await seed()
      const session = new ReadSession(engine)
      let parent: InstanceType<typeof Parent> | undefined
      const query = select(Parent).options(selectinload(Parent.children))
      expect(await requests(async () => (parent = (await session.scalars(query)).one()))).toBe(1)
      expect(ids(parent?.children ?? [])).toEqual(CHILDREN)
      expect(labels(parent?.pets ?? [])).toEqual(PETS)
      const post = (await session.scalars(select(Post))).one()
      expect(await requests(() => session.load([post], Post.tags))).toBe(1)
      expect(labels(post.tags)).toEqual(TAGS)
    })

    it("keeps an object pushed in memory where it was put until the collection loads again", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const parent = (await session.scalars(select(Parent).options(selectinload(Parent.children)))).one()
      // Rank 9 sorts first once loaded; pushed, it is last, as in SQLAlchemy.
      parent.children.push(new Child({ id: 10, rank: 9 }))
      expect(ids(parent.children)).toEqual([...CHILDREN, 10])
      await session.flush()
      expect(ids(parent.children)).toEqual([...CHILDREN, 10])
      await session.refresh(parent, ["children"])
      expect(ids(parent.children)).toEqual([10, ...CHILDREN])
    })
  })
}
