// Stopping neon-local (Ctrl-C, SIGTERM) while a SQL-over-HTTP statement runs cancels that statement on
// PostgreSQL before the process exits, as a client that goes away does (Neon cancels it). It did not:
// stop() cut the client's connection, whose abort sent PostgreSQL's CancelRequest on a socket of its
// own, but the CLI exited before that socket was written, so the statement ran on and a write the
// client saw fail (its socket closed: an unknown outcome) committed after neon-local had stopped.
import { type ChildProcess, spawn } from "node:child_process"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let admin: pg.Client
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  await admin.query("CREATE TABLE r8_shutdown (a int)")
})
afterAll(async () => {
  await admin?.end()
  await database?.drop()
})

/** The neon-local command line, as `npm run neon-local` runs it, on the scratch database. */
async function startCli(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "tools/neon-local/cli.ts", "--port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PG_URL: database.url },
  })
  let out = ""
  child.stdout?.on("data", (data) => {
    out += data
  })
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", () => reject(new Error(`neon-local exited: ${out}`)))
    const check = () => {
      const found = /neon-local on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (found) resolve(found[1] as string)
      else setTimeout(check, 20)
    }
    check()
  })
  return { child, url }
}

async function backendsRunning(fragment: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE $1 AND pid <> pg_backend_pid()",
    [`%${fragment}%`],
  )
  return rows[0]?.n ?? 0
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe("neon-local cancels the statements in flight when it stops", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s: a write in flight never commits afterwards",
    async (signal) => {
      const { child, url } = await startCli()
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
      const answer = fetch(`${url}/sql`, {
        method: "POST",
        headers: { "Neon-Connection-String": database.url },
        body: JSON.stringify({ query: `INSERT INTO r8_shutdown SELECT 1 FROM pg_sleep(1.5) -- ${signal}` }),
      }).then(
        (response) => response.status,
        () => "connection closed",
      )
      await until(async () => (await backendsRunning(`-- ${signal}`)) === 1, "the insert to run")
      child.kill(signal)
      expect(await exited).toBe(0)
      expect(await answer).toBe("connection closed")
      // Without the cancel the INSERT commits once its sleep ends, 1.5 s after it started.
      await until(async () => (await backendsRunning(`-- ${signal}`)) === 0, "the insert to end")
      const { rows } = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM r8_shutdown")
      expect(rows[0]?.n).toBe(0)
    },
  )
})
