import { describe, expect, it } from "vitest"
import {
  bindparam,
  caseWhen,
  column,
  DataError,
  distinct,
  func,
  Integer,
  InvalidRequestError,
  literal,
  literalColumn,
  Numeric,
  postgresql,
  String,
  select,
  sqlite,
  Text,
  table,
} from "../../src/index.ts"
import { expectCompiled, posts, users } from "./fixtures.ts"

const where = (condition: Parameters<ReturnType<typeof select>["where"]>[0]) =>
  select(users.c.id).where(condition)

describe("operators", () => {
  it.each([
    ["eq", users.c.age.eq(3), '"users"."age" = $1'],
    ["ne", users.c.age.ne(3), '"users"."age" <> $1'],
    ["gt", users.c.age.gt(3), '"users"."age" > $1'],
    ["ge", users.c.age.ge(3), '"users"."age" >= $1'],
    ["lt", users.c.age.lt(3), '"users"."age" < $1'],
    ["le", users.c.age.le(3), '"users"."age" <= $1'],
    ["like", users.c.username.like("a%"), '"users"."username" LIKE $1'],
    ["notLike", users.c.username.notLike("a%"), '"users"."username" NOT LIKE $1'],
    ["ilike", users.c.username.ilike("a%"), '"users"."username" ILIKE $1'],
    ["in", users.c.age.in([1, 2]), '"users"."age" IN ($1, $2)'],
    ["notIn", users.c.age.notIn([1, 2]), '"users"."age" NOT IN ($1, $2)'],
    ["between", users.c.age.between(1, 2), '"users"."age" BETWEEN $1 AND $2'],
    ["notBetween", users.c.age.notBetween(1, 2), '"users"."age" NOT BETWEEN $1 AND $2'],
    ["isNull", users.c.bio.isNull(), '"users"."bio" IS NULL'],
    ["isNotNull", users.c.bio.isNotNull(), '"users"."bio" IS NOT NULL'],
    ["eq(null)", users.c.bio.eq(null), '"users"."bio" IS NULL'],
    ["ne(null)", users.c.bio.ne(null), '"users"."bio" IS NOT NULL'],
    ["column to column", posts.c.userId.eq(users.c.id), '"posts"."userId" = "users"."id"'],
  ])("%s", (_, condition, sql) => {
    expect(where(condition).compile(postgresql).sql).toBe(
      `SELECT "users"."id" FROM "users"${sql.includes("posts") ? ', "posts"' : ""} WHERE ${sql}`,
    )
  })

  it("writes ILIKE as lower() LIKE lower() on SQLite, and every LIKE with PostgreSQL's escape", () => {
    expect(where(users.c.username.like("50\\%")).compile(sqlite).sql).toBe(
      `SELECT "users"."id" FROM "users" WHERE "users"."username" LIKE ? ESCAPE '\\'`,
    )
    expect(where(users.c.username.ilike("%Bob%")).compile(sqlite)).toEqual({
      sql: `SELECT "users"."id" FROM "users" WHERE lower("users"."username") LIKE lower(?) ESCAPE '\\'`,
      params: ["%Bob%"],
    })
    expect(where(users.c.username.notIlike("%Bob%")).compile(sqlite).sql).toContain(
      'lower("users"."username") NOT LIKE lower(?)',
    )
  })

  it("gives IN of an empty list a defined meaning: always false, and NOT IN always true", () => {
    expectCompiled(where(users.c.age.in([])), {
      postgresql: { sql: 'SELECT "users"."id" FROM "users" WHERE 1 = 0', params: [] },
      sqlite: { sql: 'SELECT "users"."id" FROM "users" WHERE 1 = 0', params: [] },
    })
    expect(where(users.c.age.notIn([])).compile(postgresql).sql).toBe(
      'SELECT "users"."id" FROM "users" WHERE 1 = 1',
    )
  })

  it("does arithmetic and concatenation with parentheses where they matter", () => {
    const statement = select(
      users.c.age.add(1).mul(2).label("x"),
      users.c.username.concat("!").concat(users.c.email),
    )
    expect(statement.compile(postgresql)).toEqual({
      sql: 'SELECT ("users"."age" + $1) * $2 AS "x", ("users"."username" || $3) || "users"."email" FROM "users"',
      params: [1, 2, "!"],
    })
    expect(select(users.c.age.sub(1), users.c.age.div(2), users.c.age.mod(3)).toString()).toBe(
      'SELECT "users"."age" - :param_1, "users"."age" / :param_2, "users"."age" % :param_3 FROM "users"',
    )
  })

  it("writes CASE and CAST", () => {
    const bracket = caseWhen(
      [
        [users.c.age.lt(18), "minor"],
        [users.c.age.lt(65), "adult"],
      ],
      "senior",
    )
    expect(select(bracket.label("bracket"), users.c.age.cast(Text)).compile(sqlite)).toEqual({
      sql: 'SELECT CASE WHEN "users"."age" < ? THEN CAST(? AS TEXT) WHEN "users"."age" < ? THEN ? ELSE ? END AS "bracket", CAST("users"."age" AS TEXT) FROM "users"',
      params: [18n, "minor", 65n, "adult", "senior"],
    })
    expect(select(users.c.age.cast(Numeric(10, 2))).compile(postgresql).sql).toBe(
      'SELECT CAST("users"."age" AS NUMERIC(10, 2)) FROM "users"',
    )
  })

  it("parenthesizes a CASE that is an operand, and writes DISTINCT inside an aggregate", () => {
    const adult = caseWhen([[users.c.age.ge(18), 1]], 0)
    expect(select(users.c.id).where(adult.eq(1)).compile(postgresql).sql).toBe(
      'SELECT "users"."id" FROM "users" WHERE (CASE WHEN "users"."age" >= $1 THEN CAST($2 AS INTEGER) ELSE $3 END) = $4',
    )
    expect(select(func.count(distinct(users.c.age))).compile(sqlite).sql).toBe(
      'SELECT count(DISTINCT "users"."age") FROM "users"',
    )
  })

  it("binds literals and named parameters, inlining only raw SQL", () => {
    const statement = select(literal("x").label("a"), literalColumn<number>("42").label("b")).where(
      users.c.username.eq(bindparam("name", Text)),
    )
    expect(statement.compile(postgresql, { values: { name: "bob" } })).toEqual({
      sql: 'SELECT $1 AS "a", 42 AS "b" FROM "users" WHERE "users"."username" = $2',
      params: ["x", "bob"],
    })
    expect(() => statement.compile(postgresql)).toThrow(/No value for the bind parameter "name"/)
    expect(statement.toString()).toContain('"users"."username" = :name')
  })

  it("types the common functions and passes any other name through", () => {
    const statement = select(
      func.lower(users.c.username),
      func.upper(users.c.email),
      func.length(users.c.bio),
      func.coalesce(users.c.bio, ""),
      func.max(users.c.age),
      func.min(users.c.age),
      func.sum(users.c.age),
      func.concat(users.c.username, "@"),
      func.json_extract(users.c.bio, "$.a"),
    )
    expect(statement.compile(sqlite)).toEqual({
      sql: 'SELECT lower("users"."username"), upper("users"."email"), length("users"."bio"), coalesce("users"."bio", ?), max("users"."age"), min("users"."age"), sum("users"."age"), concat("users"."username", CAST(? AS TEXT)), json_extract("users"."bio", ?) FROM "users"',
      params: ["", "@", "$.a"],
    })
  })

  it("binds plain values given to the string functions", () => {
    expect(select(func.lower("MiXeD"), func.length("abc")).compile(postgresql)).toEqual({
      sql: "SELECT lower($1), length($2)",
      params: ["MiXeD", "abc"],
    })
  })

  it("writes now() as SQLite's millisecond UTC timestamp", () => {
    expect(select(func.now()).compile(postgresql).sql).toBe("SELECT now()")
    expect(select(func.now()).compile(sqlite).sql).toBe("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")
  })

  it("refuses a function name that is not an identifier", () => {
    const injected = func["x(); drop table users; --"]!
    expect(() => select(injected()).compile(postgresql)).toThrow(InvalidRequestError)
  })
})

describe("identifiers", () => {
  const odd = table("select", {
    id: column(Integer, { primaryKey: true }),
    userName: column(String(10)),
    'we"ird name': column(Text, { name: 'we"ird name' }),
    order: column(Integer, { name: "order" }),
  })

  it("are all quoted in statements on both databases, quotes inside doubled", () => {
    for (const dialect of [postgresql, sqlite]) {
      expect(select(odd).compile(dialect).sql).toBe(
        'SELECT "select"."id", "select"."userName", "select"."we""ird name", "select"."order" FROM "select"',
      )
    }
  })

  it("name a column by its key in the select list when the database name differs", () => {
    const renamed = table("people", { fullName: column(Text, { name: "full_name" }) })
    expect(select(renamed.c.fullName).toString()).toBe(
      'SELECT "people"."full_name" AS "fullName" FROM "people"',
    )
  })
})

describe("literal-binds mode", () => {
  it("inlines values escaped for each dialect, for reading and debugging", () => {
    const statement = select(users.c.id).where(
      users.c.username.eq("O'Brien \\ $1 ? --;"),
      users.c.isActive.eq(true),
      users.c.createdAt.lt(new Date("2024-05-06T07:08:09.010Z")),
    )
    expect(statement.compile(postgresql, { literalBinds: true })).toEqual({
      sql: `SELECT "users"."id" FROM "users" WHERE "users"."username" = E'O''Brien \\\\ $1 ? --;' AND "users"."isActive" = true AND "users"."createdAt" < '2024-05-06T07:08:09.010Z'`,
      params: [],
    })
    expect(statement.compile(sqlite, { literalBinds: true }).sql).toBe(
      `SELECT "users"."id" FROM "users" WHERE "users"."username" = 'O''Brien \\ $1 ? --;' AND "users"."isActive" = 1 AND "users"."createdAt" < '2024-05-06 07:08:09.010'`,
    )
  })

  it("checks inline values as it checks parameters: NUL, which no text holds, is refused on both", () => {
    const statement = select(users.c.id).where(users.c.bio.eq("a\u0000b"))
    expect(() => statement.compile(sqlite, { literalBinds: true })).toThrow(DataError)
    expect(() => statement.compile(postgresql, { literalBinds: true })).toThrow(DataError)
  })

  it("writes bytes as hex", () => {
    const statement = select(literal(new Uint8Array([0, 255, 16])))
    expect(statement.compile(postgresql, { literalBinds: true }).sql).toBe("SELECT E'\\\\x00ff10'::bytea")
    expect(statement.compile(sqlite, { literalBinds: true }).sql).toBe("SELECT X'00ff10'")
  })
})
