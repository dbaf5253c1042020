// neon-local let a SQL-over-HTTP request run for as long as PostgreSQL ran it: a runaway query held its
// pooled connection (and, with the pool's limit, every request queued behind it) until its client gave
// up. Neon's proxy had `--sql-over-http-timeout` (default 15 s) for this, answered 504 "HTTP-Connection
// timed out, execution time exeeded N seconds" (Neon's spelling) while it applied it; neon-local now
// has it as httpQueryTimeoutMs / --http-query-timeout-ms (default 15 s, 0 for none): past it the query
// is cancelled on PostgreSQL, a batch rolled back, its connection not reused, and the next request is
// served.
import { execFile } from "node:child_process"
import { neon, neonConfig } from "@neondatabase/serverless"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let admin: pg.Client
let local: NeonLocal
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  await admin.query("CREATE TABLE r9_timeout (a int)")
  local = await startNeonLocal({
    upstream: database.url,
    port: 0,
    maxConnections: 1,
    httpQueryTimeoutMs: 1_000,
  })
})
afterAll(async () => {
  await local?.stop()
  await admin?.end()
  await database?.drop()
})

const sql = (scope: string) => {
  neonConfig.fetchEndpoint = local.fetchEndpoint(scope)
  return neon(database.url)
}

const TIMED_OUT =
  'Server error (HTTP status 504): {"message":"HTTP-Connection timed out, execution time exeeded 1 seconds","code":504}'

async function sleepersRunning(): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()",
  )
  return rows[0]?.n ?? 0
}

/** The cancel is sent as the answer goes out; PostgreSQL ends the statement a moment later. */
async function untilNoSleeper(): Promise<number> {
  for (let i = 0; i < 200 && (await sleepersRunning()) > 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 25))
  return sleepersRunning()
}

describe("neon-local bounds how long a SQL-over-HTTP request runs, as Neon's proxy did", () => {
  it("cancels a query past the limit with Neon's 504, and serves the next request", async () => {
    const db = sql("single")
    await expect(db.query("SELECT pg_sleep(30)")).rejects.toThrow(TIMED_OUT)
    expect(await untilNoSleeper()).toBe(0)
    // The pool's only connection is free again (the cancelled one is not reused).
    expect(await db.query("SELECT 2 AS two")).toEqual([{ two: 2 }])
    expect(local.stats("single")).toMatchObject({ httpRequests: 2, statements: 2 })
  })

  it("rolls back a batch that runs past the limit", async () => {
    const db = sql("batch")
    await expect(
      db.transaction([db.query("INSERT INTO r9_timeout VALUES (1)"), db.query("SELECT pg_sleep(30)")]),
    ).rejects.toThrow(TIMED_OUT)
    expect(await untilNoSleeper()).toBe(0)
    expect((await admin.query("SELECT count(*)::int AS n FROM r9_timeout")).rows).toEqual([{ n: 0 }])
  })

  it("sets no limit with 0", async () => {
    const unlimited = await startNeonLocal({ upstream: database.url, port: 0, httpQueryTimeoutMs: 0 })
    try {
      neonConfig.fetchEndpoint = unlimited.fetchEndpoint()
      expect(await neon(database.url).query("SELECT pg_sleep(1.2)::text AS slept")).toEqual([{ slept: "" }])
    } finally {
      await unlimited.stop()
    }
  })

  it("is --http-query-timeout-ms on the command line, refused unless milliseconds", async () => {
    const run = (...args: string[]) =>
      new Promise<{ code: number; out: string }>((resolve) =>
        execFile(
          process.execPath,
          ["--import", "tsx", "tools/neon-local/cli.ts", ...args],
          { env: { ...process.env, PG_URL: database.url }, timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
        ),
      )
    const help = await run("--help")
    expect(help.code).toBe(0)
    expect(help.out).toContain("--http-query-timeout-ms on its connection (default 15000")
    const wrong = await run("--http-query-timeout-ms", "15s")
    expect(wrong.code).toBe(2)
    expect(wrong.out).toContain('--http-query-timeout-ms expects milliseconds (0 for no limit), got "15s"')
  })
})
