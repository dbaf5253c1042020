// libsql-local: a statement interrupted inside a transaction, and what the stream does next.
import { afterEach, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { pipeline } from "../contract/hrana-pipeline.ts"

const started: LibsqlLocal[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((local) => local.stop()))
})

/** A write that runs for ever (interruptible): it inserts rows of a recursive count. */
const RUNAWAY_WRITE =
  "INSERT INTO kept SELECT x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c WHERE x < 0)"

describe("review libsql-local", () => {
  it("a write interrupted at the time limit inside a transaction: the stream's next statements do not commit on their own", async () => {
    const local = await startLibsqlLocal({ port: 0, statementTimeoutMs: 1_500 })
    started.push(local)
    await pipeline(local.url, null, ["CREATE TABLE kept (x INTEGER)"], true)
    const first = await pipeline(local.url, null, ["BEGIN", "INSERT INTO kept VALUES (1)"])
    expect(first.results.map((r) => r.type)).toEqual(["ok", "ok"])
    const interrupted = await pipeline(local.url, first.baton, [RUNAWAY_WRITE])
    const baton = interrupted.baton
    expect(interrupted.results[0]?.type).toBe("error")
    // The client goes on with its transaction: one more row, then COMMIT.
    const next = await pipeline(local.url, baton, ["INSERT INTO kept VALUES (2)", "COMMIT"], true)
    const committed = next.results?.[1]?.type === "ok"
    const read = await pipeline(local.url, null, ["SELECT count(*) FROM kept"], true)
    const answer = read.results[0]?.response as { result: { rows: { value: string }[][] } } | undefined
    const count = answer?.result.rows[0]?.[0]?.value
    // All or nothing: SQLite rolled the transaction back when it interrupted the write, so the stream
    // refuses the rest of it (no row 2 written in autocommit) and its COMMIT fails.
    expect({ committed, count }).toEqual({ committed: false, count: "0" })
    expect(next.results[0]).toMatchObject({ type: "error", error: { code: "SQLITE_ABORT" } })
  }, 20_000)
})
