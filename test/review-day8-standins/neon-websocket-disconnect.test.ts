// A WebSocket client that goes away while its statement runs (a dropped network, a killed worker) has
// that statement cancelled, as Neon's proxy cancels it when a session's passthrough ends
// (proxy/src/proxy/passthrough.rs: proxy_pass, then try_cancel_query). neon-local only closed the
// upstream socket, which PostgreSQL notices when it next reads or writes: the statement ran to its end
// and a write in autocommit committed, though the client saw its connection fail (an unknown outcome
// that on Neon is a statement that did not apply). A session that ends with Terminate, or sits idle,
// is not disturbed; nor is a statement of another session.
import { Client, neonConfig } from "@neondatabase/serverless"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import ws from "ws"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let local: NeonLocal
let admin: pg.Client
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  local = await startNeonLocal({ upstream: database.url, port: 0 })
  const proxy = local.wsProxy()
  neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`
  neonConfig.useSecureWebSocket = false
  neonConfig.webSocketConstructor = ws
  admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  await admin.query("CREATE TABLE r8_ws (a int)")
})
afterAll(async () => {
  await admin?.end()
  await local?.stop()
  await database?.drop()
})

async function backendsRunning(fragment: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()",
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

async function rows(marker: number): Promise<number> {
  const { rows } = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM r8_ws WHERE a = $1", [
    marker,
  ])
  return rows[0]?.n ?? 0
}

async function connect(): Promise<Client> {
  const client = new Client({ connectionString: database.url })
  client.on("error", () => undefined)
  await client.connect()
  return client
}

/** The client's WebSocket, cut as a dropped network cuts it (no Terminate, no close frame). */
function dropNetwork(client: Client): void {
  ;(client as unknown as { connection: { stream: { ws: ws } } }).connection.stream.ws.terminate()
}

describe("neon-local cancels what a WebSocket session runs when its client goes away", () => {
  it("a write in flight never commits after the client dropped", async () => {
    const client = await connect()
    const failed = client.query("INSERT INTO r8_ws SELECT 1 FROM pg_sleep(1.5) -- dropped").then(
      () => "applied",
      () => "failed",
    )
    await until(async () => (await backendsRunning("-- dropped")) === 1, "the insert to run")
    dropNetwork(client)
    expect(await failed).toBe("failed")
    await until(async () => (await backendsRunning("-- dropped")) === 0, "the insert to end")
    // Without the cancel the INSERT commits once its sleep ends.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await rows(1)).toBe(0)
  })

  it("leaves other sessions' statements alone, and a session that ends cleanly", async () => {
    const other = await connect()
    const running = other.query("INSERT INTO r8_ws SELECT 2 FROM pg_sleep(0.5) -- other")
    await until(async () => (await backendsRunning("-- other")) === 1, "the other insert to run")
    const idle = await connect()
    dropNetwork(idle)
    const clean = await connect()
    await clean.query("SELECT 1")
    await clean.end()
    await running
    expect(await rows(2)).toBe(1)
    await other.end()
  })
})
