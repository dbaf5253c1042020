// Which FROM item a join starts from: the one its ON clause names besides the target, as in SQLAlchemy,
// not merely the first, which joined a table to itself or left the ON clause naming a table outside it.
import { describe, expect, it } from "vitest"
import { and, InvalidRequestError, postgresql, select } from "../../src/index.ts"
import { posts, postTags, tags, users } from "./fixtures.ts"

describe("join left side", () => {
  it("joins from the FROM item the ON clause names, keeping the others in place", () => {
    const statement = select(posts.c.title, tags.c.name).join(postTags, postTags.c.tagId.eq(tags.c.id))
    expect(statement.compile(postgresql).sql).toBe(
      'SELECT "posts"."title", "tags"."name" FROM "posts", "tags" JOIN "post_tags" ON "post_tags"."tagId" = "tags"."id"',
    )
    const target = select(posts.c.title, users.c.username).join(posts, posts.c.userId.eq(users.c.id))
    expect(target.compile(postgresql).sql).toBe(
      'SELECT "posts"."title", "users"."username" FROM "users" JOIN "posts" ON "posts"."userId" = "users"."id"',
    )
  })

  it("refuses an ON clause that names two separate FROM items", () => {
    const statement = select(posts.c.title, tags.c.name)
    const on = and(postTags.c.tagId.eq(tags.c.id), postTags.c.postId.eq(posts.c.id))
    expect(() => statement.join(postTags, on)).toThrow(InvalidRequestError)
    expect(() => statement.join(postTags, on)).toThrow(
      /The ON clause names several FROM items to join from: selectFrom\(left\) first/,
    )
    expect(
      statement
        .selectFrom(posts)
        .join(postTags, postTags.c.postId.eq(posts.c.id))
        .join(tags)
        .compile(postgresql).sql,
    ).toBe(
      'SELECT "posts"."title", "tags"."name" FROM "posts" JOIN "post_tags" ON "post_tags"."postId" = "posts"."id" JOIN "tags" ON "post_tags"."tagId" = "tags"."id"',
    )
  })
})
