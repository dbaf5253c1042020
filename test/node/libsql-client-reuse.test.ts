// Over HTTP a libSQL connection sends what runs outside a transaction itself (src/drivers/libsql/
// hrana-http.ts) and makes a client only for a transaction (making one costs a tenth of a
// session.get's CPU), or to have a URL seen for the first time checked. Each connection hears only its
// own round trips, connections at once included.
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

describe("libSQL HTTP clients made", () => {
  it("makes none for statements and batches outside a transaction once the URL was checked", async () => {
    const { engine, made } = countingEngine(`${endpoint.url}/s/clients-serial/`)
    for (const n of [1, 2, 3, 4]) expect(await heard(engine, `SELECT ${n}`)).toEqual([[`SELECT ${n}`]])
    // The first connection to the URL had the client check it.
    expect(made.clients).toBe(1)
    await using connection = engine.connect()
    const results = await connection.batch([text("SELECT 5"), text("SELECT 6")])
    expect(results.map((result) => result.scalar())).toEqual([5n, 6n])
    expect(made.clients).toBe(1)
  })

  it("keeps each connection's round trips its own when connections run at once", async () => {
    const { engine, made } = countingEngine(`${endpoint.url}/s/clients-parallel/`)
    await heard(engine, "SELECT 0")
    const atOnce = () => Promise.all([1, 2, 3].map((n) => heard(engine, `SELECT ${n}`)))
    expect(await atOnce()).toEqual([[["SELECT 1"]], [["SELECT 2"]], [["SELECT 3"]]])
    expect(made.clients).toBe(1)
  })

  it("makes a client for a connection's transaction, and none for the next connection's statement", async () => {
    const { engine, made } = countingEngine(`${endpoint.url}/s/clients-transaction/`)
    await heard(engine, "SELECT 0")
    const connection = engine.connect()
    try {
      await connection.begin()
      await connection.execute(text("SELECT 1"))
      await connection.commit()
    } finally {
      await connection.close()
    }
    expect(made.clients).toBe(2)
    expect(await heard(engine, "SELECT 2")).toEqual([["SELECT 2"]])
    expect(made.clients).toBe(2)
  })

  it("fails a request close() abandoned, and the next connection still answers", async () => {
    const silent = inject("silent")
    const { engine } = countingEngine(`${silent.url}/`, { closeTimeoutMs: 50 })
    for (const _round of [1, 2]) {
      const connection = engine.connect()
      const unanswered = connection.execute(text("SELECT 1")).catch((error: unknown) => error)
      await new Promise((resolve) => setTimeout(resolve, 20))
      await connection.close()
      expect(await unanswered).toBeInstanceOf(ConnectionError)
    }
  })
})
