// Arguments of the wrong kind on the read path, from JavaScript callers, JSON or casts.
// - undefined compared (`eq(req.name)` with the field missing, `between(undefined, 3)`,
//   `in([undefined])`) was bound as NULL: the query ran and silently matched nothing. Refused, saying
//   that SQL's NULL is null.
// - SQL in a string (`where("id = 1")`, `orderBy("name")`), a boolean, `in(5)` or `select(undefined)`
//   failed with a TypeError deep in the compiler. Refused with an InvalidRequestError naming the fix.
// - `options("posts")`, a column or undefined given to options() were ignored, and the relationship
//   raised NotLoadedError later, far from the cause. Refused.
// Nothing is sent for a refused query.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  and,
  column,
  deleteFrom,
  func,
  Integer,
  InvalidRequestError,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
  update,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Author extends model(
  "r5j_arg_authors",
  {
    id: column(Integer, { primaryKey: true }),
    nick: column(String(40)),
    age: column(Integer, { nullable: true }),
    posts: relationship<Post[]>("Post", { backPopulates: "author" }),
  },
  { registry },
) {}
class Post extends model(
  "r5j_arg_posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    authorId: column(Integer, { foreignKey: "r5j_arg_authors.id" }),
    author: relationship<Author>("Author", { backPopulates: "posts" }),
  },
  { registry },
) {}
registry.registerModels(Author, Post)

const NULL_HINT = /^Cannot use undefined: .*null for NULL/
const EXPRESSION_HINT = /: build expressions from columns \(literalColumn\("\.\.\."\) for SQL\)/
const missing = undefined as never
const cast = (value: unknown) => value as never

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`arguments of the wrong kind on ${fixture.name}`, () => {
    const scope = `r5j-args-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    const seed = async () => {
      await using session = new AsyncSession(engine)
      const ann = new Author({ nick: "ann", age: null })
      const bob = new Author({ nick: "bob", age: 30 })
      session.addAll([ann, bob, new Post({ title: "p1", author: ann } as never)])
      await session.commit()
      return { ann, bob }
    }
    const sent = async () => (await fixture.stats(scope))?.statements ?? Number.NaN

    /** Runs `build()`'s query in a new session; the refusal must come before anything is sent. */
    const refused = async (build: () => Parameters<AsyncSession["execute"]>[0], message: RegExp) => {
      const before = await sent()
      const attempt = async () => {
        await using session = new AsyncSession(engine)
        return session.execute(build())
      }
      await expect(attempt()).rejects.toThrow(InvalidRequestError)
      await expect(attempt()).rejects.toThrow(message)
      expect(await sent()).toBe(before)
    }

    it.each([
      ["eq", () => select(Author).where(Author.nick.eq(missing))],
      ["ne", () => select(Author).where(Author.nick.ne(missing))],
      ["gt", () => select(Author).where(Author.age.gt(missing))],
      ["le", () => select(Author).where(Author.age.le(missing))],
      ["like", () => select(Author).where(Author.nick.like(missing))],
      ["ilike", () => select(Author).where(Author.nick.ilike(missing))],
      ["between(undefined, 3)", () => select(Author).where(Author.age.between(missing, 3))],
      ["notBetween(1, undefined)", () => select(Author).where(Author.age.notBetween(1, missing))],
      ["in([undefined])", () => select(Author).where(Author.id.in([missing]))],
      ["notIn([1, undefined])", () => select(Author).where(Author.id.notIn([1, missing]))],
      ["inside and()", () => select(Author).where(and(Author.id.gt(0), Author.nick.eq(missing)))],
      ["coalesce", () => select(func.coalesce(Author.age, missing))],
      ["arithmetic", () => select(Author.age.add(missing))],
    ] as const)("refuses undefined given to %s, saying NULL is null", async (_, build) => {
      await seed()
      await refused(build, NULL_HINT)
    })

    it("still compares with null (IS NULL) and skips an undefined where() condition", async () => {
      const { ann, bob } = await seed()
      await using session = new AsyncSession(engine)
      const ids = async (query: ReturnType<typeof select<[typeof Author]>>) =>
        (await session.scalars(query.where(Author.id.in([ann.id, bob.id])).orderBy(Author.id)))
          .all()
          .map((author) => author.nick)
      expect(await ids(select(Author).where(Author.age.eq(null)))).toEqual(["ann"])
      expect(await ids(select(Author).where(Author.age.ne(null)))).toEqual(["bob"])
      expect(await ids(select(Author).where(undefined, Author.nick.eq("bob")))).toEqual(["bob"])
      expect(await ids(select(Author).where(Author.age.in([null, 30])))).toEqual(["bob"])
    })

    it.each([
      ["where(SQL text)", () => select(Author).where(cast("id = 1")), /^Cannot use "id = 1"/],
      ["where(true)", () => select(Author).where(cast(true)), /^Cannot use true/],
      ["where(null)", () => select(Author).where(cast(null)), /^Cannot use null/],
      ["a second where() argument", () => select(Author).where(Author.id.eq(1), cast("x")), /"x"/],
      ["orderBy(string)", () => select(Author).orderBy(cast("name")), /^Cannot use "name"/],
      ["orderBy(undefined)", () => select(Author).orderBy(cast(undefined)), /^Cannot use undefined/],
      ["groupBy(string)", () => select(Author.nick).groupBy(cast("name")), /^Cannot use "name"/],
      [
        "having(string)",
        () => select(Author.nick).groupBy(Author.nick).having(cast("count(*) > 1")),
        /^Cannot use "count\(\*\) > 1"/,
      ],
      [
        "in(5)",
        () => select(Author).where(Author.id.in(cast(5))),
        /^Cannot use 5: .*use \[\.\.\.\] for in\(\)/,
      ],
      ["in(string)", () => select(Author).where(Author.nick.in(cast("abc"))), /^Cannot use "abc"/],
      ["notIn(5)", () => select(Author).where(Author.id.notIn(cast(5))), /^Cannot use 5/],
      [
        "in(a Set)",
        () => select(Author).where(Author.id.in(cast(new Set([1])))),
        /^Cannot use \[object Set\]/,
      ],
      ["select(undefined)", () => select(cast(undefined)), /^Cannot use undefined/],
      ["select(model, undefined)", () => select(Author, cast(undefined)), /^Cannot use undefined/],
    ] as const)("refuses %s with an InvalidRequestError naming the fix", async (_, build, message) => {
      await seed()
      await refused(build, message)
      await refused(build, EXPRESSION_HINT)
    })

    it.each([
      ["a relationship's name", () => select(Author).options(cast("posts")), /^Cannot use "posts"/],
      ["the relationship itself", () => select(Author).options(cast(Author.posts)), /^Cannot use /],
      ["a column", () => select(Author).options(cast(Author.nick)), /^Cannot use /],
      ["undefined", () => select(Author).options(cast(undefined)), /^Cannot use undefined/],
      [
        "a string beside a loader",
        () => select(Author).options(selectinload(Author.posts), cast("posts")),
        /^Cannot use "posts"/,
      ],
    ] as const)("refuses %s given to options(), before anything is sent", async (_, build, message) => {
      await seed()
      await refused(build, message)
      await refused(build, /selectinload\(\.\.\.\) for options\(\)/)
    })

    it.each([
      [
        "update().where(SQL text)",
        () => update(Author).where(cast("id = 1")).values({ nick: "x" }),
        /^Cannot use "id = 1"/,
      ],
      ["deleteFrom().where(true)", () => deleteFrom(Post).where(cast(true)), /^Cannot use true/],
      [
        "a second condition",
        () => deleteFrom(Post).where(Post.id.gt(0), cast("1 = 1")),
        /^Cannot use "1 = 1"/,
      ],
      ["an undefined one compared", () => deleteFrom(Post).where(Post.title.eq(missing)), NULL_HINT],
    ] as const)("refuses %s in a write, before anything is sent or written", async (_, build, message) => {
      await seed()
      const count = async () => {
        await using session = new AsyncSession(engine)
        return (await session.scalars(select(Post.id))).all().length
      }
      const posts = await count()
      await refused(build, message)
      await refused(build, EXPRESSION_HINT)
      expect(await count()).toBe(posts)
    })

    it("still loads with a loader option", async () => {
      const { ann } = await seed()
      await using session = new AsyncSession(engine)
      const author = (
        await session.scalars(select(Author).where(Author.id.eq(ann.id)).options(selectinload(Author.posts)))
      ).one()
      expect(author.posts.map((post) => post.title)).toEqual(["p1"])
    })
  })
}
