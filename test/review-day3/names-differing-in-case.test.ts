// SQLite folds ASCII letters in names (quoted or not): "IX_rv3_email" and "ix_rv3_email" are one index,
// "Rv3_Members" and "rv3_members" one table. createAll's CREATE ... IF NOT EXISTS then skipped the second
// without a word, as PostgreSQL's 63-byte cut made it skip one (c41283e): a unique index that did not
// exist, or two models writing into one table. Such names are refused on both databases, as other names
// one database would take twice are (a model must run on both).
import { describe, expect, it } from "vitest"
import {
  column,
  createAll,
  dropAll,
  Integer,
  InvalidRequestError,
  index,
  MetaData,
  Text,
  table,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

const cases: [string, (metadata: MetaData) => void, RegExp][] = [
  [
    "two unique indexes whose names differ only in case",
    (metadata) => {
      for (const [tableName, indexName] of [
        ["rv3_case_a", "IX_rv3_case_email"],
        ["rv3_case_b", "ix_rv3_case_email"],
      ] as const)
        table(
          tableName,
          { id: column(Integer, { primaryKey: true }), email: column(Text) },
          { metadata, indexes: [index(indexName, ["email"], { unique: true })] },
        )
    },
    /"ix_rv3_case_email" is given to an index of table "rv3_case_b", and "IX_rv3_case_email" to an index of table "rv3_case_a": SQLite takes names that differ only in the case of ASCII letters for one/,
  ],
  [
    "two tables whose names differ only in case",
    (metadata) => {
      table(
        "Rv3_Case_Members",
        { id: column(Integer, { primaryKey: true }), name: column(Text) },
        { metadata },
      )
      table(
        "rv3_case_members",
        { id: column(Integer, { primaryKey: true }), score: column(Integer) },
        { metadata },
      )
    },
    /"rv3_case_members" is given to table "rv3_case_members", and "Rv3_Case_Members" to table "Rv3_Case_Members"/,
  ],
]

describe.each([
  ["PostgreSQL over Neon HTTP", neonFixture("http")],
  ["libSQL over HTTP", libsqlHttpFixture()],
])("names that differ only in case on %s", (_, fixture) => {
  it.each(cases)("refuses %s before sending anything", async (_, define, message) => {
    const metadata = new MetaData()
    define(metadata)
    const scope = `rv3-case-${Math.random().toString(36).slice(2)}`
    await using connection = fixture.engine(scope).connect()
    const error = await createAll(metadata, connection).then(
      // Created (the second silently skipped on SQLite): leave nothing behind.
      () => dropAll(metadata, connection),
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(InvalidRequestError)
    expect((error as Error).message).toMatch(message)
    expect((await fixture.stats(scope))?.statements).toBe(0)
  })
})
