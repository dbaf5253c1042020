// Set operations whose members have their own ORDER BY or LIMIT, or are set operations themselves,
// and the ORDER BY of the whole, which can name only the output columns (a column by its position).
import { describe, expect, it } from "vitest"
import { alias, postgresql, select, sqlite } from "../../src/index.ts"
import { expectCompiled, users } from "./fixtures.ts"

describe("compound selects", () => {
  it("groups a member with its own ORDER BY and LIMIT: parentheses on PostgreSQL, a subquery on SQLite", () => {
    const youngest = select(users.c.id).orderBy(users.c.age).limit(1)
    const oldest = select(users.c.id).orderBy(users.c.age.desc()).limit(1)
    expectCompiled(youngest.union(oldest), {
      postgresql: {
        sql: '(SELECT "users"."id" FROM "users" ORDER BY "users"."age" ASC LIMIT $1) UNION (SELECT "users"."id" FROM "users" ORDER BY "users"."age" DESC LIMIT $2)',
        params: [1, 1],
      },
      sqlite: {
        sql: 'SELECT * FROM (SELECT "users"."id" FROM "users" ORDER BY "users"."age" ASC LIMIT ?) UNION SELECT * FROM (SELECT "users"."id" FROM "users" ORDER BY "users"."age" DESC LIMIT ?)',
        params: [1n, 1n],
      },
    })
  })

  it("groups a member that is itself a set operation, which would otherwise be read left to right", () => {
    const one = select(users.c.id).where(users.c.id.eq(1))
    const two = select(users.c.id).where(users.c.id.eq(2))
    const statement = select(users.c.id).except(one.union(two) as never)
    expect(statement.compile(postgresql).sql).toBe(
      'SELECT "users"."id" FROM "users" EXCEPT (SELECT "users"."id" FROM "users" WHERE "users"."id" = $1 UNION SELECT "users"."id" FROM "users" WHERE "users"."id" = $2)',
    )
    expect(statement.compile(sqlite).sql).toBe(
      'SELECT "users"."id" FROM "users" EXCEPT SELECT * FROM (SELECT "users"."id" FROM "users" WHERE "users"."id" = ? UNION SELECT "users"."id" FROM "users" WHERE "users"."id" = ?)',
    )
  })

  it("orders the whole by output columns, a column by its position (SQLite names none it did not label)", () => {
    const older = alias(users, "older")
    const statement = select(users.c.id, users.c.isActive, users.c.age.label("years"))
      .unionAll(select(older.c.id, older.c.isActive, older.c.age.label("years")))
      .orderBy(users.c.isActive.desc(), users.c.age.label("years"), users.c.id)
    expect(statement.compile(postgresql).sql).toMatch(/ ORDER BY 2 DESC, "years" ASC, 1 ASC$/)
  })
})
