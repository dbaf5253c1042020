// Names that are keywords. Statements quote every name on both databases (and printed SQL too), so no
// keyword of any version of either is ever read as a name. SQLite's DDL keeps names bare where that
// is safe, as people write them (SQLite keeps a table's CREATE text as given; migrations read it): it
// quotes its keywords that fail as a bare name, and leaves other plain names bare (checked against both
// databases: test/orm/correlation-suite.ts creates such a table).
import { describe, expect, it } from "vitest"
import {
  column,
  createStatements,
  Integer,
  MetaData,
  postgresql,
  select,
  sqlite,
  table,
} from "../../src/index.ts"
import type { Dialect } from "../../src/sql/compiler/dialect.ts"

const tableNamed = (name: string, metadata = new MetaData()) =>
  table("t", { [name]: column(Integer, { primaryKey: true }) }, { metadata })

/** How a dialect spells a column of that name, in `SELECT t.<name> FROM t`. */
const spelled = (dialect: Dialect | undefined, name: string) => {
  const t = tableNamed(name)
  const sql = dialect
    ? select(t.c[name] as never).compile(dialect).sql
    : select(t.c[name] as never).toString()
  return sql.slice(sql.indexOf(".") + 1, sql.indexOf(" FROM"))
}

/** How a dialect's CREATE TABLE spells a column of that name: `CREATE TABLE ... t (<name> INTEGER ...`. */
const spelledInDdl = (dialect: Dialect, name: string) => {
  const metadata = new MetaData()
  tableNamed(name, metadata)
  const [create] = createStatements(metadata, dialect)
  const sql = create?.compile(dialect).sql ?? ""
  return sql.slice(sql.indexOf("(") + 1, sql.indexOf(" INTEGER"))
}

const SQLITE_ONLY = ["add", "alter", "autoincrement", "commit", "if", "nothing", "raise", "recursive"]
// system_user: reserved since PostgreSQL 16 (Neon's default), not yet in 15.
const POSTGRES_ONLY = ["collation", "user", "array", "only", "system_user"]
const BOTH = ["select", "order", "group", "table"]
const PLAIN = ["begin", "filter", "first", "name", "value"]

describe("keyword identifiers", () => {
  it("are quoted in statements on both databases and in printed SQL, with every other name", () => {
    for (const dialect of [postgresql, sqlite, undefined]) {
      const words = [...SQLITE_ONLY, ...POSTGRES_ONLY, ...BOTH, ...PLAIN, "true", "false"]
      expect(words.map((word) => spelled(dialect, word))).toEqual(words.map((word) => `"${word}"`))
    }
  })

  it("are quoted by SQLite's DDL where its database refuses them, plain names left bare", () => {
    // SQLite reads a bare true or false as its boolean literal when no column of that name is in scope.
    const refused = [...SQLITE_ONLY, ...BOTH, "true", "false"]
    expect(refused.map((word) => spelledInDdl(sqlite, word))).toEqual(refused.map((word) => `"${word}"`))
    const bare = [...POSTGRES_ONLY, ...PLAIN]
    expect(bare.map((word) => spelledInDdl(sqlite, word))).toEqual(bare)
    // PostgreSQL keeps no DDL text: every name is quoted there too.
    expect(bare.map((word) => spelledInDdl(postgresql, word))).toEqual(bare.map((word) => `"${word}"`))
  })

  it("quotes a keyword table and its keyword columns in every statement", () => {
    const conditional = table(
      "if",
      { id: column(Integer, { primaryKey: true }), nothing: column(Integer), collation: column(Integer) },
      { metadata: new MetaData() },
    )
    const statement = select(conditional.c.nothing).where(conditional.c.collation.eq(1))
    expect(statement.compile(postgresql).sql).toBe(
      'SELECT "if"."nothing" FROM "if" WHERE "if"."collation" = $1',
    )
    expect(statement.compile(sqlite).sql).toBe('SELECT "if"."nothing" FROM "if" WHERE "if"."collation" = ?')
    const recursive = select(conditional.c.id).cte("recursive")
    expect(select(recursive.c.id).compile(sqlite).sql).toBe(
      'WITH "recursive" AS (SELECT "if"."id" FROM "if") SELECT "recursive"."id" FROM "recursive"',
    )
  })
})
