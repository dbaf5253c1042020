// neon-local's upstream pool: a connection goes back for reuse with a fresh session, as Neon gives
// every request that does not opt in to its pooling; one that opts in keeps its session, as on Neon.
// It never hands out a connection PostgreSQL ended, and never opens more than its cap.
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PoolExhausted, UpstreamPool } from "../../tools/neon-local/upstream-pool.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let pool: UpstreamPool
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  pool = new UpstreamPool(database.url)
})
afterAll(async () => {
  await pool.close()
  await database.drop()
})

const name = () => new URL(database.url).pathname.slice(1)
const applicationName = async (client: Awaited<ReturnType<UpstreamPool["acquire"]>>) =>
  (await client.query<{ application_name: string }>("SHOW application_name")).rows[0]?.application_name

describe("neon-local's upstream pool", () => {
  it("resets a connection's session before reuse, unless the request opted in to pooling", async () => {
    const first = await pool.acquire("postgres", name())
    await first.query("SET application_name = 'kept'")
    await pool.release(first, "postgres", name(), true, true)
    const again = await pool.acquire("postgres", name())
    expect(again).toBe(first)
    expect(await applicationName(again)).toBe("kept")
    await pool.release(again, "postgres", name(), true)
    const reset = await pool.acquire("postgres", name())
    expect(reset).toBe(first)
    expect(await applicationName(reset)).not.toBe("kept")
    await pool.release(reset, "postgres", name(), true)
  })

  it("closes a connection left inside a transaction rather than reuse it", async () => {
    const open = await pool.acquire("postgres", name())
    await open.query("BEGIN")
    await pool.release(open, "postgres", name(), true)
    const next = await pool.acquire("postgres", name())
    expect(next).not.toBe(open)
    await pool.release(next, "postgres", name(), true)
  })
})

describe("neon-local's upstream pool and connections PostgreSQL ended", () => {
  it("hands out a working connection after PostgreSQL terminated the idle one", async () => {
    const first = await pool.acquire("postgres", name())
    const pid = (first as unknown as { processID: number }).processID
    await pool.release(first, "postgres", name(), true)
    const ended = new Promise((resolve) => first.once("end", resolve))
    await withAdmin((admin) => admin.query("SELECT pg_terminate_backend($1)", [pid]))
    await ended
    const next = await pool.acquire("postgres", name())
    try {
      expect((await next.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }])
    } finally {
      await pool.release(next, "postgres", name(), true)
    }
  })
})

describe("neon-local's upstream pool cap", () => {
  it("makes a request beyond maxConnections wait for a connection to come back", async () => {
    const capped = new UpstreamPool(database.url, { maxConnections: 1 })
    try {
      const first = await capped.acquire("postgres", name())
      const waiting = capped.acquire("postgres", name())
      await capped.release(first, "postgres", name(), true)
      const second = await waiting
      expect(second).toBe(first)
      await capped.release(second, "postgres", name(), true)
    } finally {
      await capped.close()
    }
  })

  it("refuses a request that waited queueTimeoutMs, as PostgreSQL refuses one client too many", async () => {
    const capped = new UpstreamPool(database.url, { maxConnections: 1, queueTimeoutMs: 50 })
    try {
      const held = await capped.acquire("postgres", name())
      const refusal = await capped.acquire("postgres", name()).then(
        (client) => capped.release(client, "postgres", name(), true),
        (error: unknown) => error,
      )
      expect(refusal).toBeInstanceOf(PoolExhausted)
      expect(refusal).toMatchObject({ code: "53300", message: "sorry, too many clients already" })
      await capped.release(held, "postgres", name(), true)
    } finally {
      await capped.close()
    }
  })

  it("stops waiting for a request whose client went away", async () => {
    const capped = new UpstreamPool(database.url, { maxConnections: 1 })
    try {
      const held = await capped.acquire("postgres", name())
      const gone = new AbortController()
      const waiting = capped.acquire("postgres", name(), gone.signal)
      gone.abort()
      await expect(waiting).rejects.toThrow()
      await capped.release(held, "postgres", name(), true)
      // The one connection is free for the next request: nobody is still queued for it.
      const next = await capped.acquire("postgres", name())
      expect(next).toBe(held)
      await capped.release(next, "postgres", name(), true)
    } finally {
      await capped.close()
    }
  })
})

async function withAdmin<T>(use: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  try {
    return await use(admin)
  } finally {
    await admin.end()
  }
}
