// libSQL HTTP clients passed on (13dc929) by connections whose last request failed: the server
// refused the SQL, the connection was dropped mid-request, the request outlived requestTimeoutMs. The
// connection closes with nothing in flight, so its client goes on to the next connection, which must
// work on it and hear only its own round trips (no late fetch of the failed request counted as its).
import { type Config, createClient } from "@libsql/client/web"
import { describe, expect, inject, it } from "vitest"
import { sqlite } from "../../src/dialects/sqlite/dialect.ts"
import { libsqlDriver } from "../../src/drivers/libsql/driver.ts"
import { withDialect } from "../../src/engine/engine.ts"
import { ConnectionError, createEngine, ProgrammingError, text } from "../../src/index.ts"

const endpoint = inject("libsql")

function countingEngine(scope: string, requestTimeoutMs?: number) {
  const made = { clients: 0 }
  const counting = (config: Config) => {
    made.clients++
    return createClient(config)
  }
  const options = { authToken: endpoint.authToken, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) }
  const driver = withDialect(libsqlDriver(counting, "http", options), sqlite)
  return { engine: createEngine(`${endpoint.url}/s/${scope}/`, { driver }), made }
}

/** What a child engine's connection hears running `sql`, and its answer. */
async function heard(engine: ReturnType<typeof createEngine>, sql: string) {
  const child = engine.child()
  const trips: string[] = []
  child.on("roundTrip", (trip) => trips.push(`${trip.kind}:${trip.statements.map((s) => s.sql).join(";")}`))
  const connection = child.connect()
  try {
    return { value: Number((await connection.execute(text(sql))).scalar()), trips }
  } finally {
    await connection.close()
  }
}

async function failing(engine: ReturnType<typeof createEngine>, sql: string, before?: () => Promise<void>) {
  const connection = engine.connect()
  try {
    await before?.()
    return await connection.execute(text(sql)).then(
      () => undefined,
      (error: unknown) => error,
    )
  } finally {
    await connection.close()
  }
}

describe("a libSQL HTTP client passed on after a failed request", () => {
  it("works for the next connection after the server refused a statement", async () => {
    const { engine, made } = countingEngine(`rb4-reuse-refused-${Date.now().toString(36)}`)
    expect(await failing(engine, "SELECT * FROM rb4_no_such_table")).toBeInstanceOf(ProgrammingError)
    expect(await heard(engine, "SELECT 41")).toEqual({ value: 41, trips: ["execute:SELECT 41"] })
    expect(made.clients).toBe(1)
  })

  it("works for the next connection after the server dropped the request", async () => {
    const scope = `rb4-reuse-dropped-${Date.now().toString(36)}`
    const { engine, made } = countingEngine(scope)
    const arm = async () => {
      const response = await fetch(`${endpoint.url}/s/${scope}/__faults`, {
        method: "POST",
        body: JSON.stringify({ dropRequests: 1 }),
      })
      expect(response.status).toBe(204)
    }
    expect(await failing(engine, "SELECT 1", arm)).toBeInstanceOf(ConnectionError)
    for (const n of [42, 43])
      expect(await heard(engine, `SELECT ${n}`)).toEqual({ value: n, trips: [`execute:SELECT ${n}`] })
    expect(made.clients).toBe(1)
  })

  it("works for the next connection after a request outlived requestTimeoutMs", async () => {
    // 1 s: long enough for the SELECTs after it on a loaded machine (150 ms timed them out too, once),
    // far shorter than the statement that runs for seconds: its request times out, its fetch aborted.
    const { engine } = countingEngine(`rb4-reuse-timeout-${Date.now().toString(36)}`, 1_000)
    const slow =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) SELECT count(*) FROM c"
    expect(await failing(engine, slow)).toBeInstanceOf(ConnectionError)
    for (const n of [44, 45])
      expect(await heard(engine, `SELECT ${n}`)).toEqual({ value: n, trips: [`execute:SELECT ${n}`] })
  })

  it("serves many connections at once and after, each hearing its own round trips", async () => {
    const { engine, made } = countingEngine(`rb4-reuse-many-${Date.now().toString(36)}`)
    const numbers = Array.from({ length: 12 }, (_, i) => 100 + i)
    for (const round of [1, 2]) {
      const answers = await Promise.all(numbers.map((n) => heard(engine, `SELECT ${n}`)))
      expect(answers, `round ${round}`).toEqual(
        numbers.map((n) => ({ value: n, trips: [`execute:SELECT ${n}`] })),
      )
    }
    // Twelve at once made twelve; eight were kept, so the second round made four more.
    expect(made.clients).toBe(16)
  })
})
