// Which FROM items a subquery shares with the statement around it: an UPDATE's or DELETE's subquery
// correlates to the target row; a FROM-clause subquery correlates to nothing; a self-referential EXISTS
// aliases the related rows.
import { describe, expect, it } from "vitest"
import {
  alias,
  and,
  caseWhen,
  deleteFrom,
  exists,
  func,
  InvalidRequestError,
  literal,
  not,
  postgresql,
  select,
  update,
} from "../../src/index.ts"
import { replaceColumns } from "../../src/sql/traverse.ts"
import { Node } from "../orm/correlation-models.ts"
import { posts, users } from "./fixtures.ts"

describe("correlation", () => {
  it("correlates a DELETE's EXISTS to the deleted row instead of selecting the target table again", () => {
    const statement = deleteFrom(posts).where(
      exists(select(users.c.id).where(users.c.id.eq(posts.c.userId), users.c.username.eq("bob"))),
    )
    expect(statement.compile(postgresql).sql).toBe(
      'DELETE FROM "posts" WHERE EXISTS (SELECT "users"."id" FROM "users" WHERE "users"."id" = "posts"."userId" AND "users"."username" = $1)',
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
      'UPDATE "users" SET "bio" = (SELECT "posts"."title" FROM "posts" WHERE "posts"."userId" = "users"."id" ORDER BY "posts"."id" DESC LIMIT $1) ' +
        'WHERE EXISTS (SELECT "posts"."id" FROM "posts" WHERE "posts"."userId" = "users"."id")',
    )
  })

  it("keeps the FROM of a DML subquery that only names the target table", () => {
    const statement = deleteFrom(users).where(users.c.id.in(select(users.c.id).where(users.c.age.gt(90))))
    expect(statement.compile(postgresql).sql).toBe(
      'DELETE FROM "users" WHERE "users"."id" IN (SELECT "users"."id" FROM "users" WHERE "users"."age" > $1)',
    )
  })

  it("never correlates a FROM-clause subquery, joined or selected from", () => {
    const byAuthor = select(posts.c.id, users.c.username).where(posts.c.userId.eq(users.c.id)).subquery("by")
    const joined = select(users.c.username, func.count()).join(
      byAuthor,
      byAuthor.c.username.eq(users.c.username),
    )
    expect(joined.compile(postgresql).sql).toBe(
      'SELECT "users"."username", count(*) FROM "users" JOIN ' +
        '(SELECT "posts"."id", "users"."username" FROM "posts", "users" WHERE "posts"."userId" = "users"."id") AS "by" ' +
        'ON "by"."username" = "users"."username"',
    )
    const inExists = select(users.c.id).where(exists(select(byAuthor.c.id).selectFrom(byAuthor)))
    expect(inExists.compile(postgresql).sql).toBe(
      'SELECT "users"."id" FROM "users" WHERE EXISTS (SELECT "by"."id" FROM ' +
        '(SELECT "posts"."id", "users"."username" FROM "posts", "users" WHERE "posts"."userId" = "users"."id") AS "by")',
    )
  })

  it("refuses two different CTEs of one name, and defines a CTE used twice once", () => {
    const first = select(users.c.id).where(users.c.id.eq(1)).cte("x")
    const second = select(posts.c.id).where(posts.c.id.gt(5)).cte("x")
    const clash = select(second.c.id).where(exists(select(first.c.id)))
    expect(() => clash.compile(postgresql)).toThrow(InvalidRequestError)
    expect(() => clash.compile(postgresql)).toThrow('Two CTEs are named "x" in one statement')
    const twice = select(first.c.id)
      .where(first.c.id.in(select(first.c.id)))
      .where(literal(1).eq(1))
    expect(twice.compile(postgresql).sql).toBe(
      'WITH "x" AS (SELECT "users"."id" FROM "users" WHERE "users"."id" = $1) ' +
        'SELECT "x"."id" FROM "x" WHERE "x"."id" IN (SELECT "x"."id" FROM "x") AND $2 = $3',
    )
  })

  it("aliases the related rows of a self-referential any() or has(), moving the condition onto the alias", () => {
    expect(select(Node.id).where(Node.children.any()).compile(postgresql).sql).toBe(
      'SELECT "cr_nodes"."id" FROM "cr_nodes" WHERE EXISTS (SELECT 1 FROM "cr_nodes" AS "cr_nodes_1" WHERE "cr_nodes"."id" = "cr_nodes_1"."parentId")',
    )
    expect(
      select(Node.id)
        .where(Node.parent.has(Node.c.label.eq("root")))
        .compile(postgresql).sql,
    ).toBe(
      'SELECT "cr_nodes"."id" FROM "cr_nodes" WHERE EXISTS (SELECT 1 FROM "cr_nodes" AS "cr_nodes_1" ' +
        'WHERE "cr_nodes"."parentId" = "cr_nodes_1"."id" AND "cr_nodes_1"."label" = $1)',
    )
  })

  it("selects the related keys of a nested self-referential any() or has() under the table's own name", () => {
    // Inside the subquery cr_nodes is the related row, for the condition and for the nested EXISTS's
    // correlation alike (an alias would be cr_nodes_1 at both levels, the inner one naming the outer row).
    expect(
      select(Node.id)
        .where(Node.children.any(Node.children.any(Node.c.label.eq("leaf"))))
        .compile(postgresql).sql,
    ).toBe(
      'SELECT "cr_nodes"."id" FROM "cr_nodes" WHERE "cr_nodes"."id" IN (SELECT "cr_nodes"."parentId" FROM "cr_nodes" ' +
        'WHERE "cr_nodes"."parentId" IS NOT NULL AND EXISTS (SELECT 1 FROM "cr_nodes" AS "cr_nodes_1" ' +
        'WHERE "cr_nodes"."id" = "cr_nodes_1"."parentId" AND "cr_nodes_1"."label" = $1))',
    )
    expect(select(Node.id).where(Node.parent.has(Node.parent.has())).compile(postgresql).sql).toBe(
      'SELECT "cr_nodes"."id" FROM "cr_nodes" WHERE "cr_nodes"."parentId" IS NOT NULL AND "cr_nodes"."parentId" IN ' +
        '(SELECT "cr_nodes"."id" FROM "cr_nodes" WHERE EXISTS (SELECT 1 FROM "cr_nodes" AS "cr_nodes_1" ' +
        'WHERE "cr_nodes"."parentId" = "cr_nodes_1"."id"))',
    )
  })

  it("rebuilds an expression over other columns, leaving what it does not name as it was", () => {
    const older = alias(users, "older")
    const condition = and(
      not(users.c.age.between(1, users.c.id)),
      func.lower(users.c.username).in(["a", "b"]),
      caseWhen([[users.c.isActive.eq(true), users.c.age.label("years")]], 0).eq(posts.c.id),
    )
    const moved = replaceColumns(condition, (column) =>
      older.columns.find((c) => column.parent === users && c.key === column.key),
    )
    expect(select(literal(1)).where(moved).compile(postgresql).sql).toBe(
      'SELECT $1::INTEGER FROM "users" AS "older", "posts" WHERE NOT ("older"."age" BETWEEN $2 AND "older"."id") AND lower("older"."username") IN ($3, $4) ' +
        'AND (CASE WHEN "older"."isActive" = $5 THEN "older"."age" ELSE $6 END) = "posts"."id"',
    )
    const untouched = posts.c.id.gt(1)
    expect(replaceColumns(untouched, () => undefined)).toBe(untouched)
  })
})
