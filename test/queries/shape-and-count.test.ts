// Query results right in shape and count, on both databases: each test asserts what SQLAlchemy 2.0 (or
// the README) says comes back; the cases an attack found wrong failed before their fixes.
import { describe, expect, it } from "vitest"
import {
  AsyncSession,
  aliased,
  func,
  insert,
  literalColumn,
  ReadSession,
  select,
  selectinload,
} from "../../src/index.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { fixtures, seed } from "./fixture.ts"
import { heldSuite } from "./held-suite.ts"
import { AqPost, AqUser, registry } from "./models.ts"

/** How many posts each seeded user has. */
const POSTS: Record<number, number> = { 1: 3, 2: 2, 3: 1, 4: 0 }

for (const fixture of fixtures) {
  describe(`query shape and count on ${fixture.name}`, () => {
    const engine = fixture.engine(`aq-shape-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("seeds", async () => {
      await seed(engine)
    })

    // 1. SQLite evaluates the query's CTE (_l0) once for the JSON rows and again for the level's
    //    `IN (SELECT key FROM _l0)`: a query that is not deterministic gets children of other rows.
    it("selectinload gives each parent of a random LIMIT query its own children (the query runs once)", async () => {
      const wrong: unknown[] = []
      for (let i = 0; i < 25; i++) {
        await using session = new ReadSession(engine)
        const users = (
          await session.scalars(
            select(AqUser)
              .where(AqUser.id.in([1, 2, 3]))
              .orderBy(func.random())
              .limit(1)
              .options(selectinload(AqUser.posts)),
          )
        ).all()
        for (const user of users) {
          if (user.posts.length !== POSTS[user.id]) wrong.push([user.id, user.posts.map((p) => p.id)])
        }
      }
      expect(wrong).toEqual([])
    })

    // 2. A subquery of two entities has two columns named "id": SQLAlchemy labels the second id_1.
    it("maps aliased(Post, subquery of User and Post) onto the post's own columns", async () => {
      await using session = new ReadSession(engine)
      const sq = select(AqUser, AqPost).join(AqUser.posts).where(AqUser.id.eq(2)).subquery("aq_up")
      const post = aliased(AqPost, sq)
      const rows = (await session.scalars(select(post).orderBy(post.title))).all()
      expect(rows.map((p) => [p.id, p.title, p.userId])).toEqual([
        [20, "b1", 2],
        [21, "b2", 2],
      ])
      // and no phantom post 2 in the identity map
      expect(await session.get(AqPost, 2)).toBeNull()
    })

    it("keeps both same-named columns of a subquery and of a CTE", async () => {
      await using session = new ReadSession(engine)
      const sq = select(AqUser.id, AqPost.id).join(AqUser.posts).where(AqPost.id.eq(20)).subquery("aq_ids")
      expect(Object.keys(sq.c)).toHaveLength(2)
      const all = <T extends object>(from: T) => select(...(Object.values(from) as never[]))
      const fromSubquery = (await session.execute(all(sq.c))).all()
      expect(fromSubquery.map((row) => [...row].sort((a, b) => Number(a) - Number(b)))).toEqual([[2, 20]])
      const cte = select(AqUser.id, AqPost.id).join(AqUser.posts).where(AqPost.id.eq(20)).cte("aq_ids_cte")
      expect(Object.keys(cte.c)).toHaveLength(2)
      const fromCte = (await session.execute(all(cte.c))).all()
      expect(fromCte.map((row) => [...row].sort((a, b) => Number(a) - Number(b)))).toEqual([[2, 20]])
    })

    // 3. Result.keys / mappings() with two columns of one name: SQLAlchemy keys them id, id_1.
    it("mappings() keeps every column of a row whose columns share a name", async () => {
      await using session = new ReadSession(engine)
      const result = await session.execute(
        select(AqUser.id, AqPost.id).join(AqUser.posts).where(AqPost.id.eq(20)),
      )
      expect(result.all()).toEqual([[2, 20]])
      expect(new Set(result.keys).size).toBe(2)
      const [mapping] = result.mappings()
      expect(Object.values(mapping ?? {}).sort((a, b) => Number(a) - Number(b))).toEqual([2, 20])
    })

    it("names unlabelled aggregates alike on both databases, each once", async () => {
      await using session = new ReadSession(engine)
      const result = await session.execute(select(func.count(), func.count(AqPost.score)).selectFrom(AqPost))
      expect(new Set(result.keys).size).toBe(2)
      // the same keys on both databases (PostgreSQL names both "count", SQLite "count(*)", ...)
      for (const key of result.keys) expect(key).toMatch(/^count(_\d+)?$/)
      expect(Object.keys(result.mappings()[0] ?? {})).toHaveLength(2)
    })

    // 4. paginate() replaces the query's own LIMIT/OFFSET and counts past them.
    it("paginate() pages within the query's own LIMIT and counts only what it returns", async () => {
      await using session = new ReadSession(engine)
      const top3 = select(AqUser).orderBy(AqUser.id).limit(3)
      expect((await session.scalars(top3)).all().map((u) => u.id)).toEqual([1, 2, 3])
      const page2 = await session.paginate(top3, { page: 2, pageSize: 2 })
      expect(page2.items.map((u) => u.id)).toEqual([3])
      expect(page2.total).toBe(3)
      const skip1 = await session.paginate(select(AqUser).orderBy(AqUser.id).offset(1), {
        page: 1,
        pageSize: 2,
      })
      expect(skip1.items.map((u) => u.id)).toEqual([2, 3])
      expect(skip1.total).toBe(3)
    })

    it("paginate() far past the end is an empty page, not an error", async () => {
      await using session = new ReadSession(engine)
      const page = await session.paginate(select(AqUser).orderBy(AqUser.id), { page: 2 ** 31, pageSize: 2 })
      expect(page.items).toEqual([])
      expect(page.total).toBe(4)
    })

    // 5. A UNION of entity selects is typed as rows of objects but gives arrays of column values.
    it("hydrates the entities of a UNION of ORM selects (as typed), through the identity map", async () => {
      await using session = new ReadSession(engine)
      const ada = await session.get(AqUser, 1)
      const union = select(AqUser)
        .where(AqUser.id.eq(1))
        .union(select(AqUser).where(AqUser.id.eq(2)))
        .orderBy(AqUser.id)
      const rows = (await session.execute(union)).all()
      expect(rows.map(([user]) => user instanceof AqUser)).toEqual([true, true])
      expect(rows[0]?.[0]).toBe(ada)
      const users = (await session.scalars(union)).all()
      expect(users.map((user) => user.id)).toEqual([1, 2])
    })

    // 6. A query that runs alone fails once a loader option is added.
    it("orders by a select-list label named in raw SQL with a loader option as without", async () => {
      await using session = new ReadSession(engine)
      const query = select(AqUser, func.count(AqPost.id).label("n"))
        .join(AqUser.posts)
        .groupBy(AqUser.id, AqUser.c.name, AqUser.age)
        .orderBy(literalColumn("n").desc(), AqUser.id)
      const plain = (await session.execute(query)).all().map(([u, n]) => [u.id, Number(n)])
      expect(plain).toEqual([
        [1, 3],
        [2, 2],
        [3, 1],
      ])
      const loaded = (await session.execute(query.options(selectinload(AqUser.posts)))).all()
      expect(loaded.map(([u, n]) => [u.id, Number(n), u.posts.length])).toEqual([
        [1, 3, 3],
        [2, 2, 2],
        [3, 1, 1],
      ])
    })

    // 7. No ESCAPE for LIKE: PostgreSQL escapes with a backslash by default, SQLite has no escape.
    it("finds a literal % with LIKE the same way on both databases", async () => {
      {
        await using session = new AsyncSession(engine)
        await session.execute(
          insert(AqPost).values([
            { id: 500, title: "50%_off", score: null, userId: null },
            { id: 501, title: "50\\ off", score: null, userId: null },
          ]),
        )
        await session.commit()
      }
      await using session = new ReadSession(engine)
      const titles = (
        await session.scalars(select(AqPost.title).where(AqPost.title.like("50\\%%")).orderBy(AqPost.id))
      ).all()
      expect(titles).toEqual(["50%_off"])
    })
  })
  heldSuite(fixture)
}
