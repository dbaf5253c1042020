// A libSQL HTTP connection closed with nothing open passes its client on to the next connection to the
// same URL (making one costs a tenth of a session.get's CPU). Each connection still hears only its own
// round trips, and a client is passed on only when nothing of the connection can still be on its way:
// not after a transaction (its stream's close may be), not after requests close() had to abandon.
import { type Config, createClient } from "@libsql/client/web"
import { describe, expect, inject, it } from "vitest"
import { sqlite } from "../../src/dialects/sqlite/dialect.ts"
import { libsqlDriver } from "../../src/drivers/libsql/driver.ts"
import { withDialect } from "../../src/engine/engine.ts"
import { ConnectionError, createEngine, text } from "../../src/index.ts"

const endpoint = inject("libsql")

/** An engine whose driver counts the clients it makes. */
function countingEngine(url: string, options: { closeTimeoutMs?: number } = {}) {
  const made = { clients: 0 }
  const counting = (config: Config) => {
    made.clients++
    return createClient(config)
  }
  const driver = withDialect(
    libsqlDriver(counting, "http", { authToken: endpoint.authToken, ...options }),
    sqlite,
  )
  return { engine: createEngine(url, { driver }), made }
}

/** What one connection of a child engine sends for `sql`, as the child hears it. */
async function heard(engine: ReturnType<typeof createEngine>, sql: string): Promise<string[][]> {
  const child = engine.child()
  const trips: string[][] = []
  child.on("roundTrip", (trip) => trips.push(trip.statements.map((s) => s.sql)))
  await child.execute(text(sql))
  return trips
}

describe("libSQL HTTP clients passed on", () => {
  it("serves connections one after another with one client, each hearing its own round trips", async () => {
    const { engine, made } = countingEngine(`${endpoint.url}/s/reuse-serial/`)
    for (const n of [1, 2, 3, 4]) expect(await heard(engine, `SELECT ${n}`)).toEqual([[`SELECT ${n}`]])
    expect(made.clients).toBe(1)
  })

  it("gives connections open at once a client each, and passes them all on", async () => {
    const { engine, made } = countingEngine(`${endpoint.url}/s/reuse-parallel/`)
    const atOnce = () => Promise.all([1, 2, 3].map((n) => heard(engine, `SELECT ${n}`)))
    expect(await atOnce()).toEqual([[["SELECT 1"]], [["SELECT 2"]], [["SELECT 3"]]])
    expect(made.clients).toBe(3)
    expect(await atOnce()).toEqual([[["SELECT 1"]], [["SELECT 2"]], [["SELECT 3"]]])
    expect(made.clients).toBe(3)
  })

  it("does not pass on the client of a connection that ran a transaction", async () => {
    const { engine, made } = countingEngine(`${endpoint.url}/s/reuse-transaction/`)
    const connection = engine.connect()
    try {
      await connection.begin()
      await connection.execute(text("SELECT 1"))
      await connection.commit()
    } finally {
      await connection.close()
    }
    expect(await heard(engine, "SELECT 2")).toEqual([["SELECT 2"]])
    expect(made.clients).toBe(2)
  })

  it("does not pass on the client of a connection whose requests close() abandoned", async () => {
    const silent = inject("silent")
    const { engine, made } = countingEngine(`${silent.url}/`, { closeTimeoutMs: 50 })
    for (const round of [1, 2]) {
      const connection = engine.connect()
      const unanswered = connection.execute(text("SELECT 1")).catch((error: unknown) => error)
      await new Promise((resolve) => setTimeout(resolve, 20))
      await connection.close()
      expect(await unanswered).toBeInstanceOf(ConnectionError)
      expect(made.clients).toBe(round)
    }
  })
})
