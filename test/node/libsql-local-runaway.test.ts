// One runaway statement does not take libsql-local down: other clients are still served while it
// runs, it is interrupted when its client gives up or when it passes the statement time limit (with
// sqld's SQLITE_INTERRUPT), and Ctrl-C stops the server meanwhile. The server runs as a child process,
// as `npm run libsql-local` runs it: a server stuck in a native call must not take the test run with it.
import { type ChildProcess, spawn } from "node:child_process"
import { afterEach, describe, expect, it } from "vitest"

const RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
/** Every request of these tests is answered in milliseconds by a working server; the bound only turns
 *  a frozen one into a failure. */
const ANSWER_BOUND_MS = 3_000

let child: ChildProcess | undefined
afterEach(() => {
  child?.kill("SIGKILL")
  child = undefined
})

/** Starts the CLI on a free port; resolves with its URL. */
function startCli(...args: string[]): Promise<string> {
  const started = spawn(
    process.execPath,
    ["--import", "tsx", "tools/libsql-local/cli.ts", "--port", "0", ...args],
    { stdio: ["ignore", "pipe", "pipe"] },
  )
  child = started
  return new Promise((resolve, reject) => {
    let output = ""
    const collect = (data: Buffer) => {
      output += data
      const url = /Hrana over HTTP at (http:\/\/\S+?),/.exec(output)?.[1]
      if (url) resolve(url)
    }
    started.stdout?.on("data", collect)
    started.stderr?.on("data", collect)
    started.on("exit", () => reject(new Error(`libsql-local exited: ${output}`)))
  })
}

/** Runs `sql` on a stream of its own, closed after it. */
function execute(url: string, sql: string, signal = AbortSignal.timeout(ANSWER_BOUND_MS)) {
  return fetch(`${url}/v2/pipeline`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ requests: [{ type: "execute", stmt: { sql } }, { type: "close" }] }),
    signal,
  }).then(async (response) => ((await response.json()) as { results: unknown[] }).results[0])
}

async function statementsRun(url: string): Promise<number> {
  const response = await fetch(`${url}/__stats`, { signal: AbortSignal.timeout(ANSWER_BOUND_MS) })
  return ((await response.json()) as { statements: number }).statements
}

/** Waits until the server has started `count` statements; each poll is also a request it must answer. */
async function untilStatementsRun(url: string, count: number): Promise<void> {
  while ((await statementsRun(url)) < count) await new Promise((resolve) => setTimeout(resolve, 20))
}

function exited(process: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => process.once("exit", (code) => resolve(code)))
}

describe("a runaway statement on libsql-local", () => {
  it("is interrupted when its client gives up, and other clients are served meanwhile", async () => {
    const url = await startCli()
    expect(await execute(url, "CREATE TABLE kept (n INTEGER)")).toMatchObject({ type: "ok" })
    // A write: it holds the database's write lock for as long as it runs.
    const giveUp = new AbortController()
    const runaway = execute(url, `INSERT INTO kept ${RUNAWAY}`, giveUp.signal).catch(() => "given up")
    await untilStatementsRun(url, 2)
    expect((await fetch(`${url}/health`, { signal: AbortSignal.timeout(ANSWER_BOUND_MS) })).status).toBe(200)
    giveUp.abort()
    expect(await runaway).toBe("given up")
    // Another writer gets the lock: the runaway was interrupted, not left running.
    expect(await execute(url, "INSERT INTO kept VALUES (1)")).toMatchObject({ type: "ok" })
    expect(await execute(url, "SELECT count(*) AS n FROM kept")).toMatchObject({
      type: "ok",
      response: { result: { rows: [[{ type: "integer", value: "1" }]] } },
    })
  })

  it("is interrupted past --statement-timeout-ms, with SQLITE_INTERRUPT as sqld reports it", async () => {
    const url = await startCli("--statement-timeout-ms", "200")
    expect(await execute(url, RUNAWAY)).toMatchObject({
      type: "error",
      error: { code: "SQLITE_INTERRUPT", message: expect.stringMatching(/^SQLite error: interrupted/) },
    })
    expect(await execute(url, "SELECT 1 AS one")).toMatchObject({ type: "ok" })
  })

  it("does not keep Ctrl-C from stopping the server", async () => {
    const url = await startCli()
    const server = child as ChildProcess
    const runaway = execute(url, RUNAWAY, AbortSignal.timeout(10_000)).catch(() => "cut off")
    await untilStatementsRun(url, 1)
    const exit = exited(server)
    server.kill("SIGINT")
    const bound = new Promise((resolve) =>
      setTimeout(() => resolve("still running"), ANSWER_BOUND_MS).unref(),
    )
    expect(await Promise.race([exit, bound])).toBe(0)
    await runaway
  })
})
