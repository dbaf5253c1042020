// Statements of one shape with different operators, values, limits, orders, labels, loaders, run
// interleaved on PostgreSQL and SQLite at once: each must get its own SQL and its own rows.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  aliased,
  func,
  joinedload,
  ReadSession,
  raiseload,
  select,
  selectinload,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { makeModels } from "./models.ts"

const { AsPost, AsUser, registry, seedObjects } = makeModels("as2")

const fixtures: TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]
const stamp = Date.now().toString(36)
const engines = fixtures.map((f) => f.engine(`as-coll-${f.name}-${stamp}`))

const seed = seedObjects()
const allPosts = seed.posts.map((p) => ({
  id: p.id,
  score: p.score as number | null,
  userId: p.userId,
  title: p.title,
}))
const ids = (rows: { id: number }[]) => rows.map((r) => r.id)

type Case = {
  name: string
  q: () => ReturnType<typeof select<[typeof AsPost]>>
  expected: number[]
}

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id
const cases: Case[] = [
  {
    name: "score = null",
    q: () => select(AsPost).where(AsPost.score.eq(null)).orderBy(AsPost.id),
    expected: ids(allPosts.filter((p) => p.score === null)),
  },
  {
    name: "score = 5",
    q: () => select(AsPost).where(AsPost.score.eq(5)).orderBy(AsPost.id),
    expected: ids(allPosts.filter((p) => p.score === 5)),
  },
  {
    name: "score <> null",
    q: () => select(AsPost).where(AsPost.score.ne(null)).orderBy(AsPost.id),
    expected: ids(allPosts.filter((p) => p.score !== null)),
  },
  {
    name: "score > 5",
    q: () => select(AsPost).where(AsPost.score.gt(5)).orderBy(AsPost.id),
    expected: ids(allPosts.filter((p) => p.score !== null && p.score > 5)),
  },
  {
    name: "score < 5",
    q: () => select(AsPost).where(AsPost.score.lt(5)).orderBy(AsPost.id),
    expected: ids(allPosts.filter((p) => p.score !== null && p.score < 5)),
  },
  ...[1, 2, 3, 7].map((n) => ({
    name: `id in ${n} values`,
    q: () =>
      select(AsPost)
        .where(AsPost.id.in(Array.from({ length: n }, (_, i) => 10 + 2 * i)))
        .orderBy(AsPost.id),
    expected: Array.from({ length: n }, (_, i) => 10 + 2 * i),
  })),
  ...[0, 3, 5].flatMap((offset) =>
    [2, 4].map((limit) => ({
      name: `limit ${limit} offset ${offset}`,
      q: () => select(AsPost).orderBy(AsPost.id).limit(limit).offset(offset),
      expected: ids([...allPosts].sort(byId)).slice(offset, offset + limit),
    })),
  ),
  {
    name: "order desc",
    q: () => select(AsPost).orderBy(AsPost.id.desc()).limit(5),
    expected: ids([...allPosts].sort(byId).reverse()).slice(0, 5),
  },
  {
    name: "order asc",
    q: () => select(AsPost).orderBy(AsPost.id.asc()).limit(5),
    expected: ids([...allPosts].sort(byId)).slice(0, 5),
  },
  {
    name: "order score nulls first",
    q: () => select(AsPost).orderBy(AsPost.score.asc().nullsFirst(), AsPost.id),
    expected: ids([...allPosts].sort((a, b) => (a.score ?? -1) - (b.score ?? -1) || a.id - b.id)),
  },
  {
    name: "order score nulls last",
    q: () => select(AsPost).orderBy(AsPost.score.asc().nullsLast(), AsPost.id),
    expected: ids([...allPosts].sort((a, b) => (a.score ?? 1e9) - (b.score ?? 1e9) || a.id - b.id)),
  },
  {
    name: "order by lower(title) desc (hidden column)",
    q: () => select(AsPost).orderBy(func.lower(AsPost.title).desc()),
    expected: ids([...allPosts].sort((a, b) => (a.title < b.title ? 1 : -1))),
  },
  {
    name: "order by userId desc, id (hidden? no)",
    q: () => select(AsPost).orderBy(AsPost.userId.desc(), AsPost.id),
    expected: ids([...allPosts].sort((a, b) => b.userId - a.userId || a.id - b.id)),
  },
]

const loaderSets: [string, unknown[]][] = [
  ["no options", []],
  ["selectin tags", [selectinload(AsPost.tags)]],
  ["joined author", [joinedload(AsPost.author)]],
  ["selectin author", [selectinload(AsPost.author)]],
  ["selectin author + posts", [selectinload(AsPost.author).selectinload(AsUser.posts)]],
  ["raise tags", [raiseload(AsPost.tags)]],
]

describe("cache collisions across shapes, dialects and sessions", () => {
  for (const engine of engines) freshSchema(engine, registry.metadata)
  for (const [n, fixture] of fixtures.entries()) {
    it(`seeds ${fixture.name}`, async () => {
      await using s = new AsyncSession(engines[n]!)
      const { users, tags, posts } = seedObjects()
      s.addAll([...users, ...tags, ...posts])
      await s.commit()
    })
  }

  it("every case with every loader set, interleaved on both databases, returns its own rows", async () => {
    const failures: string[] = []
    // Three rounds, so that later rounds run from whatever the first filled in.
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        cases.flatMap((c) =>
          loaderSets.flatMap(([loaderName, options]) =>
            engines.map(async (engine, e) => {
              await using s = new ReadSession(engine)
              const posts = (await s.scalars(c.q().options(...options))).all()
              const got = posts.map((p) => p.id)
              if (JSON.stringify(got) !== JSON.stringify(c.expected))
                failures.push(`${fixtures[e]!.name} ${c.name} / ${loaderName}: got ${got} want ${c.expected}`)
              for (const p of posts) {
                if (loaderName.includes("author")) {
                  if (p.author?.id !== p.userId)
                    failures.push(`${c.name} / ${loaderName}: author ${p.author?.id} of post ${p.id}`)
                }
                if (loaderName === "selectin author + posts") {
                  const want = allPosts
                    .filter((x) => x.userId === p.userId)
                    .map((x) => x.id)
                    .sort()
                  const have = p.author.posts.map((x) => x.id).sort()
                  if (JSON.stringify(want) !== JSON.stringify(have))
                    failures.push(`${c.name}: author.posts ${have} want ${want}`)
                }
                if (loaderName === "selectin tags") {
                  const want = seed.posts
                    .find((x) => x.id === p.id)!
                    .tags.map((t) => t.id)
                    .sort()
                  const have = p.tags.map((t) => t.id).sort()
                  if (JSON.stringify(want) !== JSON.stringify(have))
                    failures.push(`${c.name}: tags ${have} want ${want}`)
                }
              }
            }),
          ),
        ),
      )
    }
    expect(failures).toEqual([])
  }, 120_000)

  it("labels of one shape keep their own names", async () => {
    for (const engine of engines) {
      await using s = new ReadSession(engine)
      for (const name of ["a", "b", "c"]) {
        const result = await s.execute(select(AsPost.id.label(name)).where(AsPost.id.eq(10)))
        expect(result.keys).toEqual([name])
        expect(result.mappings()).toEqual([{ [name]: 10 }])
      }
    }
  })

  it("text() with different binds gives each its own rows", async () => {
    await Promise.all(
      engines.flatMap((engine, e) =>
        [10, 11, 12, 13].map(async (id) => {
          await using s = new ReadSession(engine)
          const sql =
            fixtures[e]!.dialect === "postgresql"
              ? "SELECT id, title FROM as2_posts WHERE id = $1"
              : "SELECT id, title FROM as2_posts WHERE id = ?"
          const stmt = text(sql)
          const row = (await s.execute(stmt, { params: [id] })).one()
          expect(Number(row[0])).toBe(id)
          const bound = (await s.execute(stmt.bind([id + 1]))).one()
          expect(Number(bound[0])).toBe(id + 1)
        }),
      ),
    )
  })

  it("two anonymous aliases in one statement", async () => {
    for (const engine of engines) {
      await using s = new ReadSession(engine)
      const a = aliased(AsUser)
      const b = aliased(AsUser)
      const rows = (
        await s.execute(select(a.id, b.id).join(b, a.id.lt(b.id)).where(a.id.eq(1)).orderBy(b.id))
      ).all()
      expect(rows).toEqual([
        [1, 2],
        [1, 3],
        [1, 4],
        [1, 5],
      ])
    }
  })
})
