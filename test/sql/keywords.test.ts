// Names that are keywords are quoted. PostgreSQL and printed SQL quote every name, so no keyword of any
// PostgreSQL version is read as one; SQLite quotes its keywords that fail as a bare name and leaves other
// plain names bare (checked against both databases: test/orm/correlation-suite.ts creates such a table).
import { describe, expect, it } from "vitest"
import { column, Integer, MetaData, postgresql, select, sqlite, table } from "../../src/index.ts"
import type { Dialect } from "../../src/sql/compiler/dialect.ts"

/** How a dialect spells a column of that name, in `SELECT t.<name> FROM t`. */
const spelled = (dialect: Dialect | undefined, name: string) => {
  const t = table("t", { [name]: column(Integer, { primaryKey: true }) }, { metadata: new MetaData() })
  const sql = dialect
    ? select(t.c[name] as never).compile(dialect).sql
    : select(t.c[name] as never).toString()
  return sql.slice(sql.indexOf(".") + 1, sql.indexOf(" FROM"))
}

describe("keyword identifiers", () => {
  it("are quoted by SQLite where its database refuses them and left bare otherwise; PostgreSQL and printed SQL quote them all", () => {
    const sqliteOnly = ["add", "alter", "autoincrement", "commit", "if", "nothing", "raise", "recursive"]
    // system_user: reserved since PostgreSQL 16 (Neon's default), not yet in 15.
    const postgresOnly = ["collation", "user", "array", "only", "system_user"]
    expect(sqliteOnly.map((word) => spelled(sqlite, word))).toEqual(sqliteOnly.map((word) => `"${word}"`))
    expect(sqliteOnly.map((word) => spelled(postgresql, word))).toEqual(sqliteOnly.map((word) => `"${word}"`))
    expect(postgresOnly.map((word) => spelled(postgresql, word))).toEqual(
      postgresOnly.map((word) => `"${word}"`),
    )
    expect(postgresOnly.map((word) => spelled(sqlite, word))).toEqual(postgresOnly)
    // SQLite reads a bare true or false as its boolean literal when no column of that name is in scope.
    for (const word of ["true", "false"]) {
      expect([spelled(postgresql, word), spelled(sqlite, word)]).toEqual([`"${word}"`, `"${word}"`])
    }
    for (const dialect of [postgresql, sqlite, undefined]) {
      expect(["select", "order", "group", "table"].map((word) => spelled(dialect, word))).toEqual([
        '"select"',
        '"order"',
        '"group"',
        '"table"',
      ])
      // Plain names: bare on SQLite only.
      const plain = ["begin", "filter", "first", "name", "value"]
      expect(plain.map((word) => spelled(dialect, word))).toEqual(
        plain.map((word) => (dialect === sqlite ? word : `"${word}"`)),
      )
    }
    // Printed SQL quotes every name too, the words only one of the databases refuses among them.
    expect([...sqliteOnly, ...postgresOnly].map((word) => spelled(undefined, word))).toEqual(
      [...sqliteOnly, ...postgresOnly].map((word) => `"${word}"`),
    )
  })

  it("quotes a keyword table and its keyword columns as each dialect needs", () => {
    const conditional = table(
      "if",
      { id: column(Integer, { primaryKey: true }), nothing: column(Integer), collation: column(Integer) },
      { metadata: new MetaData() },
    )
    const statement = select(conditional.c.nothing).where(conditional.c.collation.eq(1))
    expect(statement.compile(postgresql).sql).toBe(
      'SELECT "if"."nothing" FROM "if" WHERE "if"."collation" = $1',
    )
    expect(statement.compile(sqlite).sql).toBe('SELECT "if"."nothing" FROM "if" WHERE "if".collation = ?')
    const recursive = select(conditional.c.id).cte("recursive")
    expect(select(recursive.c.id).compile(sqlite).sql).toBe(
      'WITH "recursive" AS (SELECT "if".id FROM "if") SELECT "recursive".id FROM "recursive"',
    )
  })
})
