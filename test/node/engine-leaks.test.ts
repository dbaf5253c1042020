// No connection outlives close(): 200 engine connections opened and closed, some failing, leave no
// session in PostgreSQL and no stream at the libSQL endpoint.
import pg from "pg"
import { describe, expect, inject, it, onTestFinished } from "vitest"
import ws from "ws"
import { createEngine, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

const ROUNDS = 200

async function sessionsOn(connectionString: string): Promise<number> {
  const url = new URL(connectionString)
  const database = url.pathname.slice(1)
  url.password = ""
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    const result = await client.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
      [database],
    )
    return (result.rows[0] as { n: number }).n
  } finally {
    await client.end()
  }
}

async function eventually(check: () => Promise<number>, expected: number): Promise<number> {
  let value = await check()
  // Up to 20 s of waits: a loaded machine can take seconds to end a connection; a leaked one never ends.
  for (let attempt = 0; attempt < 200 && value !== expected; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await check()
  }
  return value
}

describe("connections are released", () => {
  it(`leaves no PostgreSQL session after ${ROUNDS} Neon connections, some failing`, async () => {
    const scope = `leaks-neon-${Date.now()}`
    // A database of its own (neon-local routes by database name), so that the count is this test's
    // sessions only, not those of the files that run beside it on the shared database.
    const database = await createScratchDatabase(pgUrl())
    onTestFinished(() => database.drop())
    const endpoint = inject("neon")
    const connectionString = new URL(endpoint.connectionString)
    connectionString.pathname = new URL(database.url).pathname
    const engine = createEngine(connectionString.toString(), {
      driver: neon({
        fetchEndpoint: `${endpoint.httpUrl}/s/${scope}/sql`,
        wsProxy: (host, port) =>
          `${endpoint.httpUrl.replace(/^http:\/\//, "")}/s/${scope}/v2?address=${host}:${port}`,
        useSecureWebSocket: false,
        pipelineConnect: false,
        coalesceWrites: false,
        mode: "http",
        webSocketConstructor: ws,
      }),
    })
    // The endpoint keeps an upstream connection warm for SQL over HTTP (as Neon's proxy pools them):
    // warm it before the baseline, so that the count compares like with like when this test runs alone.
    const warm = engine.connect()
    await warm.execute(text("SELECT 1"))
    await warm.close()
    const baseline = await sessionsOn(connectionString.toString())
    for (let i = 0; i < ROUNDS; i++) {
      const connection = engine.connect()
      try {
        if (i % 4 === 0) await connection.begin()
        if (i % 5 === 0) await connection.execute(text("SELECT * FROM no_such_table")).catch(() => undefined)
        else await connection.execute(text("SELECT 1"))
        if (i % 7 === 0) await connection.execute(text("SELECT 1/0")).catch(() => undefined)
      } finally {
        await connection.close()
      }
    }
    expect(await eventually(() => sessionsOn(connectionString.toString()), baseline)).toBe(baseline)
    const proxy = (await (await fetch(`${endpoint.httpUrl}/s/${scope}/__stats`)).json()) as {
      openSockets: number
    }
    expect(proxy.openSockets).toBe(0)
  }, 120_000)

  it(`leaves no libSQL stream open after ${ROUNDS} connections, some failing`, async () => {
    // An endpoint of its own, so that no other test's open stream is counted.
    const server = await startLibsqlLocal({ port: 0 })
    onTestFinished(() => server.stop())
    const engine = createEngine(server.url, { driver: libsql() })
    for (let i = 0; i < ROUNDS; i++) {
      const connection = engine.connect()
      try {
        if (i % 4 === 0) await connection.begin()
        if (i % 5 === 0) await connection.execute(text("SELECT * FROM no_such_table")).catch(() => undefined)
        else await connection.execute(text("SELECT 1"))
      } finally {
        await connection.close()
      }
    }
    const streams = (await (await fetch(`${server.url}/__streams`)).json()) as { open: number }
    expect(streams).toEqual({ open: 0 })
  }, 120_000)
})
