// The CHECK conditions autogenerate compares and SQLite's rebuilds rewrite: which columns a condition
// names (not its types, functions, keywords or literals), renaming one in it, and the values it names
// as PostgreSQL rewrites them (a negative number as `'-1'::integer`).
import { describe, expect, it } from "vitest"
import { column, Enum, Integer, MetaData, postgresql, sqlite, table } from "../../src/index.ts"
import { schemaOfTable } from "../../src/migrate/from-metadata.ts"
import { literalValues, mentionsColumn, renameColumnIn } from "../../src/migrate/sql-names.ts"

describe("column names in a CHECK condition", () => {
  it("finds columns, and not types, functions, keywords or literals", () => {
    const pgEnum = "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))"
    const cases: [string, string, boolean][] = [
      [pgEnum, "status", true],
      [pgEnum, "text", false],
      [pgEnum, "a", false],
      ["length(CAST(price AS TEXT)) < 10", "price", true],
      ["length(CAST(price AS TEXT)) < 10", "text", false],
      ["length (name) > 0", "length", false],
      ["\"select\" IN ('p', 'q')", "select", true],
      ["total >= 0 AND tot IS NOT NULL", "tot", true],
      ["total >= 0", "tot", false],
      ["price > 0 AND e2 = 'e'", "e", false],
      ["E > 1", "e", true],
      ['"E" > 1', "e", false],
      ["(x):: text > 1", "text", false],
      ["(t)::timestamp with time zone > '2020-01-01'", "time", false],
      ["(t)::timestamp with time zone > '2020-01-01'", "zone", false],
      // SQLite takes PostgreSQL's type and operator words as bare column names.
      ["any >= 0", "any", true],
      ["time > 0 AND zone < 5", "zone", true],
      ["at IS NOT NULL", "at", true],
      [pgEnum, "array", false],
      [pgEnum, "any", false],
      ["(t)::timestamp(3) without time zone > '2020-01-01'", "zone", false],
      ["(t)::timestamp(3) without time zone > '2020-01-01'", "time", false],
      ["(f)::double precision > 0", "precision", false],
      ["name COLLATE NOCASE <> ''", "nocase", false],
      ["name COLLATE NOCASE <> ''", "name", true],
    ]
    for (const [sql, column, named] of cases)
      expect(mentionsColumn(sql, column), `${column} in ${sql}`).toBe(named)
  })

  it("renames a column where it is named, and nowhere else", () => {
    const quote = (name: string) => `"${name}"`
    expect(renameColumnIn("length(CAST(text AS TEXT)) < 10 AND text <> 'text'", "text", "body", quote)).toBe(
      `length(CAST("body" AS TEXT)) < 10 AND "body" <> 'text'`,
    )
    expect(renameColumnIn("any >= 0 AND time > 1", "any", "at_any", (n) => n)).toBe(
      "at_any >= 0 AND time > 1",
    )
  })

  it("reads the values a condition names as the database wrote them back", () => {
    const same: [string, string][] = [
      ["b > -10", "((b > '-10'::integer))"],
      ["b BETWEEN -1 AND 5", "(((b >= '-1'::integer) AND (b <= 5)))"],
      ["n < 1e3", "((n < '1000'::numeric))"],
      [
        "s IN ('a', 'it''s')",
        "(((s)::text = ANY ((ARRAY['a'::character varying, 'it''s'::character varying])::text[])))",
      ],
      ["b - 1 > -2", "(((b - 1) > '-2'::integer))"],
    ]
    for (const [model, database] of same) expect(literalValues(database), model).toEqual(literalValues(model))
    expect(literalValues("total >= 0")).not.toEqual(literalValues("total >= 1"))
  })
})

describe("CHECK conditions autogenerate writes into a revision", () => {
  it("quote names either database refuses, as a revision made on one may run on the other", () => {
    const metadata = new MetaData()
    const grants = table(
      "grants",
      {
        id: column(Integer, { primaryKey: true }),
        user: column(Enum("x", "y")),
        index: column(Enum("p", "q")),
      },
      { metadata },
    )
    for (const dialect of [sqlite, postgresql]) {
      const checks = schemaOfTable(grants, dialect).checks.map((ck) => ck.sql)
      expect(checks).toEqual([`"user" IN ('x', 'y')`, `"index" IN ('p', 'q')`])
    }
  })
})
