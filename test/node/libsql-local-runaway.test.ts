// libsql-local and a runaway statement: it runs on its connection's own thread, so the server keeps
// answering other clients meanwhile (as sqld does), and it is interrupted when its client goes away,
// when it passes the statement time limit, or when the server stops.
import { createClient, LibsqlError } from "@libsql/client/web"
import { afterEach, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

/** Counts for ever: one step that never ends by itself (interruptible by the binding). */
const RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"

const started: LibsqlLocal[] = []

async function serve(options: Parameters<typeof startLibsqlLocal>[0]): Promise<LibsqlLocal> {
  const local = await startLibsqlLocal({ port: 0, ...options })
  started.push(local)
  return local
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((local) => local.stop()))
})

/** One Hrana pipeline over plain fetch, so that the test can abandon it half-way. */
function pipeline(local: LibsqlLocal, sqls: string[], signal?: AbortSignal): Promise<Response> {
  return fetch(`${local.url}/v3/pipeline`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      baton: null,
      requests: sqls.map((sql) => ({ type: "execute", stmt: { sql } })),
    }),
    ...(signal ? { signal } : {}),
  })
}

/** Waits until the server's counters show what a step needs (a request arrived, a statement ran), rather
 *  than a fixed while that a loaded machine can outlast. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

async function settledError(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  )
}

describe("libsql-local with a runaway statement", () => {
  it("answers other clients while it runs, and interrupts it at the statement time limit", async () => {
    const local = await serve({ statementTimeoutMs: 5_000 })
    const runaway = createClient({ url: local.url, intMode: "bigint" })
    const other = createClient({ url: local.url, intMode: "bigint" })
    await other.execute("CREATE TABLE kept (x INTEGER)")

    let runawayEnded = false
    const running = settledError(runaway.execute(RUNAWAY)).finally(() => {
      runawayEnded = true
    })
    // The CREATE, then the runaway's request.
    await until(() => local.stats().httpRequests >= 2)

    // Another stream reads and writes while the runaway counts.
    await other.execute("INSERT INTO kept VALUES (1)")
    const read = await other.execute("SELECT count(*) AS n FROM kept")
    expect(read.rows[0]?.n).toBe(1n)
    // Answered while the runaway still ran (it holds others up for a second at most: lane.ts).
    expect(runawayEnded).toBe(false)
    const stats = await (await fetch(`${local.url}/__stats`)).json()
    expect(stats.httpRequests).toBeGreaterThanOrEqual(4)

    const error = await running
    expect(error).toBeInstanceOf(LibsqlError)
    expect((error as LibsqlError).code).toBe("SQLITE_INTERRUPT")
    // Ended by the time limit, nothing else.
    expect((error as LibsqlError).message).toMatch(/ran longer than 5000 ms/)

    // The stream that ran it, and the server, carry on.
    expect((await runaway.execute("SELECT 41 + 1 AS n")).rows[0]?.n).toBe(42n)
  }, 20_000)

  it("interrupts it when its client goes away, and the write lock its transaction held is free at once", async () => {
    // No time limit: only the client going away stops it.
    const local = await serve({ statementTimeoutMs: 0 })
    const other = createClient({ url: local.url, intMode: "bigint" })
    await other.execute("CREATE TABLE kept (x INTEGER)")

    const client = new AbortController()
    const abandoned = settledError(pipeline(local, ["BEGIN IMMEDIATE", RUNAWAY], client.signal))
    // The CREATE, then BEGIN IMMEDIATE: the write lock is held.
    await until(() => local.stats().statements >= 2)
    client.abort()
    expect(await abandoned).toBeInstanceOf(Error)

    // The runaway's transaction held the write lock, and nothing else would end it: the write gets
    // it (it would fail with SQLITE_BUSY after its wait) only because the client going away freed it.
    await other.execute("INSERT INTO kept VALUES (1)")
    expect((await other.execute("SELECT count(*) AS n FROM kept")).rows[0]?.n).toBe(1n)
    expect(await (await fetch(`${local.url}/__streams`)).json()).toEqual({ open: 0 })
  }, 20_000)

  it("lets stop() settle while it runs", async () => {
    const local = await startLibsqlLocal({ port: 0, statementTimeoutMs: 0 })
    const client = createClient({ url: local.url, intMode: "bigint" })
    const running = settledError(client.execute(RUNAWAY))
    await until(() => local.stats().httpRequests >= 1)
    // Nothing limits the statement: stop() settles (within the test's time) only by interrupting it.
    await local.stop()
    expect(await running).toBeInstanceOf(Error)
  }, 20_000)

  it("answers a statement stuck in a step the binding cannot interrupt, and serves the others meanwhile", async () => {
    // The first row comes at once; the second after some 25 million steps, in one call of the binding
    // that an interrupt reaches only when it returns. The connection is given up after the grace time.
    const local = await serve({ statementTimeoutMs: 300 })
    const stuck = createClient({ url: local.url, intMode: "bigint" })
    const other = createClient({ url: local.url, intMode: "bigint" })
    const running = settledError(
      stuck.execute(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 25000000) " +
          "SELECT x FROM c WHERE x = 1 OR x = 25000000",
      ),
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await other.execute("SELECT 2 AS n")).rows[0]?.n).toBe(2n)
    const error = await running
    expect(error).toBeInstanceOf(LibsqlError)
    expect((error as LibsqlError).code).toBe("SQLITE_INTERRUPT")
    expect((await other.execute("SELECT 3 AS n")).rows[0]?.n).toBe(3n)
  }, 20_000)
})
