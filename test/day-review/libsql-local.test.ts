// libsql-local: a statement interrupted inside a transaction, and what the stream does next.
import { afterEach, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

const started: LibsqlLocal[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((local) => local.stop()))
})

/** A write that runs for ever (interruptible): it inserts rows of a recursive count. */
const RUNAWAY_WRITE =
  "INSERT INTO kept SELECT x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c WHERE x < 0)"

interface PipelineAnswer {
  baton: string | null
  results: { type: string; response?: unknown; error?: { message: string; code?: string } }[]
}

async function pipeline(local: LibsqlLocal, baton: string | null, sqls: string[], close = false) {
  const response = await fetch(`${local.url}/v3/pipeline`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      baton,
      requests: [
        ...sqls.map((sql) => ({ type: "execute", stmt: { sql } })),
        ...(close ? [{ type: "close" }] : []),
      ],
    }),
  })
  return { status: response.status, body: (await response.json()) as PipelineAnswer }
}

describe("review libsql-local", () => {
  it("a write interrupted at the time limit inside a transaction: the stream's next statements do not commit on their own", async () => {
    const local = await startLibsqlLocal({ port: 0, statementTimeoutMs: 1_500 })
    started.push(local)
    await pipeline(local, null, ["CREATE TABLE kept (x INTEGER)"], true)
    const first = await pipeline(local, null, ["BEGIN", "INSERT INTO kept VALUES (1)"])
    expect(first.body.results.map((r) => r.type)).toEqual(["ok", "ok"])
    const interrupted = await pipeline(local, first.body.baton, [RUNAWAY_WRITE])
    const baton = interrupted.body.baton
    expect(interrupted.body.results[0]?.type).toBe("error")
    // The client goes on with its transaction: one more row, then COMMIT.
    const next = await pipeline(local, baton, ["INSERT INTO kept VALUES (2)", "COMMIT"], true)
    const committed = next.body.results?.[1]?.type === "ok"
    const read = await pipeline(local, null, ["SELECT count(*) FROM kept"], true)
    const answer = read.body.results[0]?.response as { result: { rows: { value: string }[][] } } | undefined
    const count = answer?.result.rows[0]?.[0]?.value
    // All or nothing: SQLite rolled the transaction back when it interrupted the write, so the stream
    // refuses the rest of it (no row 2 written in autocommit) and its COMMIT fails.
    expect({ committed, count }).toEqual({ committed: false, count: "0" })
    expect(next.body.results[0]).toMatchObject({ type: "error", error: { code: "SQLITE_ABORT" } })
  }, 20_000)
})
