// libsql-local after a statement that rolls its transaction back by itself (INSERT OR ROLLBACK): the
// connection is in autocommit, as SQLite leaves it and sqld passes on (libsql-server runs each statement
// of a stream as it comes; only its own lock-stealing timeout refuses what follows). The official
// client's suite (`OR ROLLBACK statement stops execution of transaction`) showed libsql-local refusing
// the next statements with SQLITE_ABORT instead, which hid locally what a client that goes on does to
// Turso's data: its later writes commit one by one, and its COMMIT fails. libsql-local still refuses
// them after it interrupted a statement itself (test/day-review/libsql-local.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { type PipelineAnswer, pipeline } from "../contract/hrana-pipeline.ts"

let local: LibsqlLocal
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0 })
})
afterAll(async () => {
  await local.stop()
})

async function values(table: string): Promise<string[]> {
  const read = await pipeline(local.url, null, [`SELECT a FROM ${table} ORDER BY a`], true)
  return (read.results[0]?.response?.result.rows ?? []).map((row) => String(row[0]?.value))
}

const kinds = (answer: PipelineAnswer) => answer.results.map((result) => result.type)

describe("libsql-local: a transaction INSERT OR ROLLBACK ended", () => {
  it("the stream's next statements run in autocommit, and its COMMIT finds no transaction", async () => {
    await pipeline(local.url, null, ["CREATE TABLE r6c_commit (a UNIQUE)"], true)
    const answer = await pipeline(
      local.url,
      null,
      [
        "BEGIN",
        "INSERT INTO r6c_commit VALUES (1), (2), (3)",
        "INSERT OR ROLLBACK INTO r6c_commit VALUES (1)",
        "INSERT INTO r6c_commit VALUES (4), (5)",
        "COMMIT",
      ],
      true,
    )
    expect(kinds(answer)).toEqual(["ok", "ok", "error", "ok", "error", "ok"])
    expect(answer.results[2]?.error?.code).toMatch(/^SQLITE_CONSTRAINT/)
    expect(answer.results[4]?.error?.message).toMatch(/cannot commit - no transaction is active/)
    // Rows 1-3 were rolled back with the transaction; 4 and 5 committed on their own.
    expect(await values("r6c_commit")).toEqual(["4", "5"])
  })

  it("the stream's ROLLBACK finds no transaction, as SQLite answers it", async () => {
    await pipeline(
      local.url,
      null,
      ["CREATE TABLE r6c_rollback (a UNIQUE)", "INSERT INTO r6c_rollback VALUES (1)"],
      true,
    )
    const first = await pipeline(local.url, null, [
      "BEGIN",
      "INSERT INTO r6c_rollback VALUES (2)",
      "INSERT OR ROLLBACK INTO r6c_rollback VALUES (1)",
    ])
    expect(kinds(first)).toEqual(["ok", "ok", "error"])
    // A later request on the same stream (its baton), as @libsql/client's transaction sends it.
    const next = await pipeline(
      local.url,
      first.baton,
      ["ROLLBACK", "SELECT count(*) FROM r6c_rollback"],
      true,
    )
    expect(kinds(next)).toEqual(["error", "ok", "ok"])
    expect(next.results[0]?.error?.message).toMatch(/cannot rollback - no transaction is active/)
    expect(next.results[1]?.response?.result.rows[0]?.[0]?.value).toBe("1")
  })
})
