// `select(Post).join(User.posts)` rendered `FROM posts JOIN posts ON users.id = posts.userId`: the
// join started from the only FROM item, the target itself, and both databases refused it (PostgreSQL:
// 'table name specified more than once'; SQLite: 'ambiguous column name'). SQLAlchemy joins a
// relationship from its parent: `FROM users JOIN posts ON users.id = posts.user_id`, the parent a new
// FROM item when the select does not have it yet; so does edgealchemy now, for a many-to-many (through
// the association table) and an aliased parent too.
import { describe, expect, it } from "vitest"
import { AsyncSession, aliased, func, select } from "../../src/index.ts"
import { fixtures, rows, seededEngine } from "./fixture.ts"
import { models } from "./models.ts"

const m = models("q8_jfp")
const { Post, Tag, User } = m

describe("SQL of a join from a relationship whose parent is not selected", () => {
  it("is FROM parent JOIN target, as SQLAlchemy renders it", () => {
    const { sql } = select(Post.id).join(User.posts).compile()
    expect(sql).toBe(
      'SELECT "q8_jfp_posts"."id" FROM "q8_jfp_users" JOIN "q8_jfp_posts" ON "q8_jfp_users"."id" = "q8_jfp_posts"."userId"',
    )
  })
})

for (const fixture of fixtures()) {
  describe(`select(Post).join(User.posts) on ${fixture.name}`, () => {
    const engine = seededEngine(fixture, "join-parent", m)

    it("selects the posts of the users the WHERE names", async () => {
      const query = select(Post.id, Post.title).join(User.posts).where(User.c.name.eq("ada")).orderBy(Post.id)
      expect(await rows(engine, query)).toEqual([
        [1, "p1"],
        [2, "p2"],
      ])
    })

    it("gives objects through the session", async () => {
      await using session = new AsyncSession(engine)
      const posts = (await session.scalars(select(Post).join(User.posts).where(User.age.gt(35)))).all()
      expect(posts.map((p) => p.title)).toEqual(["p3"])
    })

    it("joins a many-to-many through its association table from the parent", async () => {
      const query = select(Tag.label, func.count())
        .join(Post.tags)
        .where(Post.userId.eq(3))
        .groupBy(Tag.label)
        .orderBy(Tag.label)
      expect(await rows(engine, query)).toEqual([
        ["x", 1],
        ["y", 1],
      ])
    })

    it("joins from an aliased parent, and from nothing selected (a count)", async () => {
      const author = aliased(User, "author")
      const query = select(Post.title).join(author.posts).where(author.c.name.eq("cy"))
      expect(await rows(engine, query)).toEqual([["p3"]])
      expect(await rows(engine, select(func.count()).join(User.posts))).toEqual([[3]])
    })

    it("still joins from the parent where the select has it", async () => {
      const query = select(User.c.name, Post.title).join(User.posts).orderBy(Post.id)
      expect(await rows(engine, query)).toEqual([
        ["ada", "p1"],
        ["ada", "p2"],
        ["cy", "p3"],
      ])
    })
  })
}
