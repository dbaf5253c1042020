// Names that are keywords are quoted: PostgreSQL's reserved words, and SQLite keywords that fail as
// a bare name (checked against both databases: test/orm/correlation-suite.ts creates such a table).
import { describe, expect, it } from "vitest"
import { column, Integer, MetaData, postgresql, select, sqlite, table } from "../../src/index.ts"
import { quoteIdentifier } from "../../src/sql/compiler/identifiers.ts"

describe("keyword identifiers", () => {
  it("quotes every keyword either database refuses as a name, and leaves others bare", () => {
    const refused = [
      "add",
      "alter",
      "autoincrement",
      "collation",
      "commit",
      "if",
      "nothing",
      "raise",
      "recursive",
    ]
    expect(refused.map(quoteIdentifier)).toEqual(refused.map((word) => `"${word}"`))
    expect(["begin", "filter", "first", "name", "value"].map(quoteIdentifier)).toEqual([
      "begin",
      "filter",
      "first",
      "name",
      "value",
    ])
  })

  it("quotes a keyword table and its keyword columns on both dialects", () => {
    const conditional = table(
      "if",
      { id: column(Integer, { primaryKey: true }), nothing: column(Integer), collation: column(Integer) },
      { metadata: new MetaData() },
    )
    const statement = select(conditional.c.nothing).where(conditional.c.collation.eq(1))
    const sql = 'SELECT "if"."nothing" FROM "if" WHERE "if"."collation" = '
    expect(statement.compile(postgresql).sql).toBe(`${sql}$1`)
    expect(statement.compile(sqlite).sql).toBe(`${sql}?`)
    const recursive = select(conditional.c.id).cte("recursive")
    expect(select(recursive.c.id).compile(sqlite).sql).toBe(
      'WITH "recursive" AS (SELECT "if".id FROM "if") SELECT "recursive".id FROM "recursive"',
    )
  })
})
