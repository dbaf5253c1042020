// neon-local cancels a SQL-over-HTTP statement whose client went away (a requestTimeoutMs, a cancelled
// fetch), as Neon's proxy does: the statement stops on PostgreSQL, an abandoned write never applies
// later, and the connection it held is not left running. Its pool has a cap, answered beyond as
// PostgreSQL answers one client too many.
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let local: NeonLocal
let admin: pg.Client
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  local = await startNeonLocal({ upstream: database.url, port: 0 })
  admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  await admin.query("CREATE TABLE accounts (id int PRIMARY KEY, balance int)")
})
afterAll(async () => {
  await admin?.end()
  await local?.stop()
  await database?.drop()
})

/** Sends one query; the returned `abandon` aborts the fetch, as a client-side timeout does. */
function sendAbandonable(query: string, endpoint: NeonLocal = local) {
  const client = new AbortController()
  const answer = fetch(endpoint.fetchEndpoint(), {
    method: "POST",
    headers: { "Neon-Connection-String": database.url },
    body: JSON.stringify({ query }),
    signal: client.signal,
  })
  answer.catch(() => undefined)
  return { answer, abandon: () => client.abort() }
}

/** The backends running `query`, and how many of them wait on a lock. */
async function running(query: string): Promise<{ running: number; waitingOnLock: number }> {
  const { rows } = await admin.query<{ running: number; waitingOnLock: number }>(
    `SELECT count(*)::int AS running,
            count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS "waitingOnLock"
       FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query = $1`,
    [query],
  )
  return rows[0] as { running: number; waitingOnLock: number }
}

/** Polls `read` until `done`, for at most ten seconds (a loaded machine can take seconds to start or
 *  cancel a statement; what is checked for, a statement left running, lasts longer); returns the last
 *  value read. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe("neon-local and a request its client abandoned", () => {
  it("cancels the statement on PostgreSQL", async () => {
    const sleep = "SELECT pg_sleep(30)"
    const request = sendAbandonable(sleep)
    await until(
      () => running(sleep),
      (now) => now.running === 1,
    )
    request.abandon()
    expect(
      await until(
        () => running(sleep),
        (now) => now.running === 0,
      ),
    ).toEqual({
      running: 0,
      waitingOnLock: 0,
    })
  })

  it("never applies an UPDATE abandoned while it waited on a row lock", async () => {
    await admin.query("INSERT INTO accounts VALUES (1, 10)")
    const holder = new pg.Client({ connectionString: database.url })
    await holder.connect()
    try {
      await holder.query("BEGIN")
      await holder.query("UPDATE accounts SET balance = balance WHERE id = 1")
      const update = "UPDATE accounts SET balance = 999 WHERE id = 1"
      const request = sendAbandonable(update)
      await until(
        () => running(update),
        (now) => now.waitingOnLock === 1,
      )
      request.abandon()
      const after = await until(
        () => running(update),
        (now) => now.running === 0,
      )
      await holder.query("ROLLBACK")
      const { rows } = await admin.query("SELECT balance FROM accounts WHERE id = 1")
      expect({ ...after, balance: rows[0]?.balance }).toEqual({ running: 0, waitingOnLock: 0, balance: 10 })
    } finally {
      await holder.end()
    }
  })
})

describe("neon-local's cap on PostgreSQL connections for SQL over HTTP", () => {
  it("answers a request that found none free as Neon answers a compute out of connections", async () => {
    const capped = await startNeonLocal({
      upstream: database.url,
      port: 0,
      maxConnections: 1,
      queueTimeoutMs: 50,
    })
    // Not on `admin`: inside a transaction, pg_stat_activity would keep showing its first snapshot.
    const locker = new pg.Client({ connectionString: database.url })
    await locker.connect()
    await locker.query("BEGIN")
    await locker.query("LOCK TABLE accounts")
    const blocked = "SELECT count(*) FROM accounts"
    try {
      const holding = sendAbandonable(blocked, capped)
      await until(
        () => running(blocked),
        (now) => now.waitingOnLock === 1,
      )
      const refused = await fetch(capped.fetchEndpoint(), {
        method: "POST",
        headers: { "Neon-Connection-String": database.url },
        body: JSON.stringify({ query: "SELECT 1" }),
      })
      expect({ status: refused.status, body: await refused.json() }).toMatchObject({
        status: 500,
        body: { code: "53300", message: "sorry, too many clients already", severity: "FATAL" },
      })
      holding.abandon()
    } finally {
      await locker.end()
      await capped.stop()
    }
  })
})
