// Which FROM items a subquery shares with the statement around it: an UPDATE's or DELETE's subquery
// correlates to the target row; a FROM-clause subquery correlates to nothing.
import { describe, expect, it } from "vitest"
import {
  deleteFrom,
  exists,
  func,
  InvalidRequestError,
  literal,
  postgresql,
  select,
  update,
} from "../../src/index.ts"
import { posts, users } from "./fixtures.ts"

describe("correlation", () => {
  it("correlates a DELETE's EXISTS to the deleted row instead of selecting the target table again", () => {
    const statement = deleteFrom(posts).where(
      exists(select(users.c.id).where(users.c.id.eq(posts.c.userId), users.c.username.eq("bob"))),
    )
    expect(statement.compile(postgresql).sql).toBe(
      'DELETE FROM posts WHERE EXISTS (SELECT users.id FROM users WHERE users.id = posts."userId" AND users.username = $1)',
    )
  })

  it("correlates an UPDATE's SET and WHERE subqueries to the updated row", () => {
    const latest = select(posts.c.title)
      .where(posts.c.userId.eq(users.c.id))
      .orderBy(posts.c.id.desc())
      .limit(1)
    const statement = update(users)
      .values({ bio: latest.scalarSubquery() })
      .where(exists(select(posts.c.id).where(posts.c.userId.eq(users.c.id))))
    expect(statement.compile(postgresql).sql).toBe(
      'UPDATE users SET bio = (SELECT posts.title FROM posts WHERE posts."userId" = users.id ORDER BY posts.id DESC LIMIT $1) ' +
        'WHERE EXISTS (SELECT posts.id FROM posts WHERE posts."userId" = users.id)',
    )
  })

  it("keeps the FROM of a DML subquery that only names the target table", () => {
    const statement = deleteFrom(users).where(users.c.id.in(select(users.c.id).where(users.c.age.gt(90))))
    expect(statement.compile(postgresql).sql).toBe(
      "DELETE FROM users WHERE users.id IN (SELECT users.id FROM users WHERE users.age > $1)",
    )
  })

  it("never correlates a FROM-clause subquery, joined or selected from", () => {
    const byAuthor = select(posts.c.id, users.c.username).where(posts.c.userId.eq(users.c.id)).subquery("by")
    const joined = select(users.c.username, func.count()).join(
      byAuthor,
      byAuthor.c.username.eq(users.c.username),
    )
    expect(joined.compile(postgresql).sql).toBe(
      "SELECT users.username, count(*) FROM users JOIN " +
        '(SELECT posts.id, users.username FROM posts, users WHERE posts."userId" = users.id) AS by ' +
        "ON by.username = users.username",
    )
    const inExists = select(users.c.id).where(exists(select(byAuthor.c.id).selectFrom(byAuthor)))
    expect(inExists.compile(postgresql).sql).toBe(
      "SELECT users.id FROM users WHERE EXISTS (SELECT by.id FROM " +
        '(SELECT posts.id, users.username FROM posts, users WHERE posts."userId" = users.id) AS by)',
    )
  })

  it("refuses two different CTEs of one name, and defines a CTE used twice once", () => {
    const first = select(users.c.id).where(users.c.id.eq(1)).cte("x")
    const second = select(posts.c.id).where(posts.c.id.gt(5)).cte("x")
    const clash = select(second.c.id).where(exists(select(first.c.id)))
    expect(() => clash.compile(postgresql)).toThrow(InvalidRequestError)
    expect(() => clash.compile(postgresql)).toThrow('Two different CTEs are named "x" in one statement')
    const twice = select(first.c.id)
      .where(first.c.id.in(select(first.c.id)))
      .where(literal(1).eq(1))
    expect(twice.compile(postgresql).sql).toBe(
      "WITH x AS (SELECT users.id FROM users WHERE users.id = $1) " +
        "SELECT x.id FROM x WHERE x.id IN (SELECT x.id FROM x) AND $2 = $3",
    )
  })
})
