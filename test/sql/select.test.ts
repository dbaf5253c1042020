import { describe, expect, it } from "vitest"
import {
  alias,
  and,
  distinct,
  exists,
  func,
  InvalidRequestError,
  literal,
  not,
  or,
  postgresql,
  select,
  sqlite,
  UnsupportedCapabilityError,
} from "../../src/index.ts"
import { asOrdering } from "../../src/sql/expression.ts"
import { JsonRows } from "../../src/sql/json-rows.ts"
import { expectCompiled, posts, postTags, tags, users } from "./fixtures.ts"

describe("select", () => {
  it("infers FROM from the columns and ANDs several where arguments", () => {
    expectCompiled(
      select(users.c.id, users.c.username).where(users.c.age.gt(25), users.c.isActive.eq(true)),
      {
        postgresql: {
          sql: 'SELECT "users"."id", "users"."username" FROM "users" WHERE "users"."age" > $1 AND "users"."isActive" = $2',
          params: [25, true],
        },
        sqlite: {
          sql: 'SELECT "users"."id", "users"."username" FROM "users" WHERE "users"."age" > ? AND "users"."isActive" = ?',
          params: [25n, 1n],
        },
      },
    )
  })

  it("selects every column of a table", () => {
    expect(select(tags).compile(postgresql).sql).toBe('SELECT "tags"."id", "tags"."name" FROM "tags"')
  })

  it("groups OR inside AND and NOT", () => {
    const statement = select(users.c.id).where(
      or(users.c.username.like("a%"), users.c.age.lt(20)),
      not(users.c.isActive.eq(true)),
    )
    expect(statement.compile(postgresql)).toEqual({
      sql: 'SELECT "users"."id" FROM "users" WHERE ("users"."username" LIKE $1 OR "users"."age" < $2) AND NOT ("users"."isActive" = $3)',
      params: ["a%", 20, true],
    })
  })

  it("orders with directions and nulls placement, then limits and offsets", () => {
    const statement = select(users.c.id)
      .orderBy(users.c.age.desc().nullsLast(), users.c.username)
      .limit(5)
      .offset(10)
    expectCompiled(statement, {
      postgresql: {
        sql: 'SELECT "users"."id" FROM "users" ORDER BY "users"."age" DESC NULLS LAST, "users"."username" ASC LIMIT $1 OFFSET $2',
        params: [5, 10],
      },
      sqlite: {
        sql: 'SELECT "users"."id" FROM "users" ORDER BY "users"."age" DESC NULLS LAST, "users"."username" ASC LIMIT ? OFFSET ?',
        params: [5n, 10n],
      },
    })
  })

  it("writes an OFFSET alone as LIMIT -1 on SQLite", () => {
    expect(select(users.c.id).offset(3).compile(sqlite)).toEqual({
      sql: 'SELECT "users"."id" FROM "users" LIMIT ? OFFSET ?',
      params: [-1n, 3n],
    })
    expect(select(users.c.id).offset(3).compile(postgresql).sql).toBe(
      'SELECT "users"."id" FROM "users" OFFSET $1',
    )
  })

  it("counts, averages and groups with HAVING", () => {
    const statement = select(posts.c.userId, func.count().label("n"), func.avg(users.c.age))
      .join(users)
      .groupBy(posts.c.userId)
      .having(func.count(posts.c.id).gt(1))
    expect(statement.compile(postgresql)).toEqual({
      sql: 'SELECT "posts"."userId", count(*) AS "n", avg("users"."age") FROM "posts" JOIN "users" ON "posts"."userId" = "users"."id" GROUP BY "posts"."userId" HAVING count("posts"."id") > $1',
      params: [1],
    })
  })

  it("selects DISTINCT rows and counts DISTINCT values", () => {
    expect(select(posts.c.userId).distinct().toString()).toBe('SELECT DISTINCT "posts"."userId" FROM "posts"')
    expect(select(func.count(distinct(posts.c.userId))).toString()).toBe(
      'SELECT count(DISTINCT "posts"."userId") FROM "posts"',
    )
  })

  it("infers the ON clause of a join from the foreign key, in either direction", () => {
    expect(select(users.c.username, posts.c.title).join(posts).toString()).toBe(
      'SELECT "users"."username", "posts"."title" FROM "users" JOIN "posts" ON "posts"."userId" = "users"."id"',
    )
    expect(select(posts.c.title).join(users).toString()).toBe(
      'SELECT "posts"."title" FROM "posts" JOIN "users" ON "posts"."userId" = "users"."id"',
    )
  })

  it("chains joins through an association table and keeps explicit ON clauses", () => {
    const statement = select(posts.c.title)
      .join(postTags)
      .join(tags, tags.c.id.eq(postTags.c.tagId))
      .where(tags.c.name.eq("python"))
    expect(statement.compile(postgresql)).toEqual({
      sql: 'SELECT "posts"."title" FROM "posts" JOIN "post_tags" ON "post_tags"."postId" = "posts"."id" JOIN "tags" ON "tags"."id" = "post_tags"."tagId" WHERE "tags"."name" = $1',
      params: ["python"],
    })
  })

  it("writes LEFT and FULL outer joins", () => {
    expect(select(users.c.id, posts.c.id).outerJoin(posts).toString()).toBe(
      'SELECT "users"."id", "posts"."id" AS "id_1" FROM "users" LEFT OUTER JOIN "posts" ON "posts"."userId" = "users"."id"',
    )
    expect(select(users.c.id, posts.c.id).fullJoin(posts).toString()).toBe(
      'SELECT "users"."id", "posts"."id" AS "id_1" FROM "users" FULL OUTER JOIN "posts" ON "posts"."userId" = "users"."id"',
    )
  })

  it("says why it cannot infer an ON clause", () => {
    expect(() => select(users.c.id).join(tags)).toThrow(InvalidRequestError)
    expect(() => select(users.c.id).join(tags)).toThrow(/no foreign key links "users" and "tags"/)
  })

  it("joins a table to an alias of itself", () => {
    const other = alias(users, "other")
    const statement = select(users.c.username, other.c.username).join(other, other.c.age.eq(users.c.age))
    expect(statement.toString()).toBe(
      'SELECT "users"."username", "other"."username" AS "username_1" FROM "users" JOIN "users" AS "other" ON "other"."age" = "users"."age"',
    )
  })

  it("uses a subquery in FROM with typed columns", () => {
    const counts = select(posts.c.userId, func.count().label("postCount"))
      .groupBy(posts.c.userId)
      .subquery("pc")
    const statement = select(users.c.username, counts.c.postCount)
      .join(counts, counts.c.userId.eq(users.c.id))
      .where(counts.c.postCount.ge(2))
    expect(statement.compile(postgresql)).toEqual({
      sql: 'SELECT "users"."username", "pc"."postCount" FROM "users" JOIN (SELECT "posts"."userId", count(*) AS "postCount" FROM "posts" GROUP BY "posts"."userId") AS "pc" ON "pc"."userId" = "users"."id" WHERE "pc"."postCount" >= $1',
      params: [2],
    })
  })

  it("correlates scalar subqueries and EXISTS with the enclosing query", () => {
    const postCount = select(func.count(posts.c.id)).where(posts.c.userId.eq(users.c.id)).scalarSubquery()
    const statement = select(users.c.username, postCount.label("postCount")).where(
      exists(select(posts.c.id).where(posts.c.userId.eq(users.c.id), posts.c.published.eq(true))),
    )
    expect(statement.compile(sqlite)).toEqual({
      sql: 'SELECT "users"."username", (SELECT count("posts"."id") FROM "posts" WHERE "posts"."userId" = "users"."id") AS "postCount" FROM "users" WHERE EXISTS (SELECT "posts"."id" FROM "posts" WHERE "posts"."userId" = "users"."id" AND "posts"."published" = ?)',
      params: [1n],
    })
  })

  it("does not correlate a subquery that would be left with no FROM", () => {
    const inner = select(users.c.id).where(users.c.age.gt(30))
    expect(select(users.c.username).where(users.c.id.in(inner)).toString()).toBe(
      'SELECT "users"."username" FROM "users" WHERE "users"."id" IN (SELECT "users"."id" FROM "users" WHERE "users"."age" > :param_1)',
    )
  })

  it("writes CTEs, recursive ones with WITH RECURSIVE", () => {
    const active = select(users.c.id, users.c.username).where(users.c.isActive.eq(true)).cte("active")
    expect(select(active.c.username).where(active.c.id.gt(1)).compile(postgresql)).toEqual({
      sql: 'WITH "active" AS (SELECT "users"."id", "users"."username" FROM "users" WHERE "users"."isActive" = $1) SELECT "active"."username" FROM "active" WHERE "active"."id" > $2',
      params: [true, 1],
    })

    const numbers = select(literal(1).label("n")).cte("numbers", { recursive: true })
    const counting = numbers.unionAll(select(numbers.c.n.add(1)).where(numbers.c.n.lt(5)))
    expect(select(counting.c.n).compile(sqlite)).toEqual({
      sql: 'WITH RECURSIVE "numbers" AS (SELECT ? AS "n" UNION ALL SELECT "numbers"."n" + ? FROM "numbers" WHERE "numbers"."n" < ?) SELECT "numbers"."n" FROM "numbers"',
      params: [1n, 1n, 5n],
    })
  })

  it("numbers SQLite placeholders in textual order even when a CTE is found late", () => {
    const recent = select(posts.c.id).where(posts.c.id.gt(100)).cte("recent")
    const statement = select(users.c.id).where(users.c.age.eq(7), users.c.id.in(select(recent.c.id)))
    expect(statement.compile(sqlite)).toEqual({
      sql: 'WITH "recent" AS (SELECT "posts"."id" FROM "posts" WHERE "posts"."id" > ?) SELECT "users"."id" FROM "users" WHERE "users"."age" = ? AND "users"."id" IN (SELECT "recent"."id" FROM "recent")',
      params: [100n, 7n],
    })
  })

  it("combines selects with UNION, UNION ALL, INTERSECT and EXCEPT", () => {
    const a = select(users.c.username).where(users.c.age.lt(20))
    const b = select(users.c.username).where(users.c.age.gt(60))
    expect(a.union(b).orderBy(users.c.username).limit(3).compile(postgresql)).toEqual({
      sql: 'SELECT "users"."username" FROM "users" WHERE "users"."age" < $1 UNION SELECT "users"."username" FROM "users" WHERE "users"."age" > $2 ORDER BY 1 ASC LIMIT $3',
      params: [20, 60, 3],
    })
    expect(a.unionAll(b).toString()).toContain(" UNION ALL ")
    expect(a.intersect(b).toString()).toContain(" INTERSECT ")
    expect(a.except(b).toString()).toContain(" EXCEPT ")
  })

  it("locks rows FOR UPDATE on PostgreSQL and refuses on SQLite", () => {
    const statement = select(users.c.id).where(users.c.id.eq(1)).forUpdate({ skipLocked: true })
    expect(statement.compile(postgresql).sql).toBe(
      'SELECT "users"."id" FROM "users" WHERE "users"."id" = $1 FOR UPDATE SKIP LOCKED',
    )
    expect(select(users.c.id).forUpdate({ share: true, nowait: true }).compile(postgresql).sql).toBe(
      'SELECT "users"."id" FROM "users" FOR SHARE NOWAIT',
    )
    expect(() => statement.compile(sqlite)).toThrow(UnsupportedCapabilityError)
  })

  it("is immutable: every method returns a new statement and leaves the old one as it was", () => {
    const base = select(users.c.id)
    const filtered = base.where(users.c.age.gt(1))
    expect(base.toString()).toBe('SELECT "users"."id" FROM "users"')
    expect(filtered.toString()).toBe('SELECT "users"."id" FROM "users" WHERE "users"."age" > :param_1')
    expect(Object.isFrozen(base)).toBe(true)
    expect(Object.isFrozen(base.state)).toBe(true)
  })

  it("skips undefined conditions so filters can be optional", () => {
    const query: string | undefined = undefined
    expect(
      select(users.c.id)
        .where(query ? users.c.username.eq(query) : undefined)
        .toString(),
    ).toBe('SELECT "users"."id" FROM "users"')
  })

  it("prints readable SQL with named placeholders, like SQLAlchemy's print", () => {
    expect(`${select(users.c.username).where(and(users.c.age.ge(18), users.c.bio.isNotNull()))}`).toBe(
      'SELECT "users"."username" FROM "users" WHERE "users"."age" >= :param_1 AND "users"."bio" IS NOT NULL',
    )
  })
})

describe("a one-statement load's rows as JSON", () => {
  it("orders its array as ORDER BY does, NULLS placement included", () => {
    const rows = new JsonRows(
      [users.c.username],
      [users.c.age.desc().nullsLast(), asOrdering(users.c.username)],
    )
    expectCompiled(select(rows), {
      postgresql: {
        sql: 'SELECT json_agg(json_build_array("users"."username") ORDER BY "users"."age" DESC NULLS LAST, "users"."username" ASC) FROM "users"',
        params: [],
      },
      sqlite: {
        sql: 'SELECT json_group_array(json_array("users"."username") ORDER BY "users"."age" DESC NULLS LAST, "users"."username" ASC) FROM "users"',
        params: [],
      },
    })
  })
})
