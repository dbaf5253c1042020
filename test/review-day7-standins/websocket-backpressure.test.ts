// neon-local's WebSocket proxy passes PostgreSQL's answer on no faster than the client reads it, as
// Neon's proxy (a bidirectional copy between the two sockets) does: PostgreSQL then waits to write
// (wait event ClientWrite) while the client does not read. The proxy pushed every byte PostgreSQL sent
// into the WebSocket's send buffer, so a client that asked for a large result and stopped reading (a
// stalled Worker, a debugger on a breakpoint) made neon-local hold the whole result in memory, 64 MB
// here, as much as the query returns.
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { startup } from "../setup/pg-messages.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let local: NeonLocal
let observer: pg.Client
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  local = await startNeonLocal({ upstream: database.url, port: 0, anyPassword: true })
  observer = new pg.Client({ connectionString: database.url })
  await observer.connect()
})
afterAll(async () => {
  await observer.end()
  await local.stop()
  await database.drop()
})

function message(type: string, payload: string): Buffer {
  const body = Buffer.from(payload, "utf8")
  const header = Buffer.alloc(5)
  header.write(type, 0)
  header.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([header, body])
}

/** A WebSocket logged in through neon-local, at its first ReadyForQuery. */
async function loggedIn(): Promise<WebSocket> {
  const url = new URL(database.url)
  const socket = new WebSocket(`ws://${local.wsProxy()}?address=${url.hostname}:${url.port || 5432}`)
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject))
  let received = Buffer.alloc(0)
  const ready = new Promise<void>((resolve) => {
    const onData = (data: Buffer) => {
      received = Buffer.concat([received, data])
      if (received.includes(Buffer.from("Z\0\0\0\u0005I"))) {
        socket.off("message", onData)
        resolve()
      }
    }
    socket.on("message", onData)
  })
  socket.send(startup(decodeURIComponent(url.username), url.pathname.slice(1)))
  socket.send(message("p", "any\0"))
  await ready
  return socket
}

/** The backend running a query that contains `marker`: its state and what it waits for. */
async function backendOf(marker: string): Promise<{ state: string; wait_event: string | null } | undefined> {
  const { rows } = await observer.query(
    "SELECT state, wait_event FROM pg_stat_activity WHERE query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()",
    [marker],
  )
  return rows[0]
}

describe("neon-local's WebSocket proxy and a client that stops reading", () => {
  it("leaves PostgreSQL waiting to write instead of buffering the whole result", async () => {
    const socket = await loggedIn()
    const marker = "r7_backpressure"
    socket.pause()
    // 64 MB of rows, far more than the sockets between PostgreSQL and the client hold.
    socket.send(message("Q", `SELECT repeat('x', 1000) AS ${marker} FROM generate_series(1, 64000)\0`))
    // Two seconds of looking: ample for PostgreSQL to send all 64 MB to a proxy that takes it all (it
    // was idle after about 0.3 s), while one that waits for the client keeps it writing.
    const seen: (string | undefined)[] = []
    for (let polls = 0; polls < 40; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const backend = await backendOf(marker)
      seen.push(backend?.state)
      if (backend?.state !== "active") break
    }
    expect(seen).not.toContain("idle")
    expect(await backendOf(marker)).toEqual({ state: "active", wait_event: "ClientWrite" })

    // The client goes away: the query ends with it, and no backend stays behind.
    socket.terminate()
    for (let polls = 0; polls < 200 && (await backendOf(marker)) !== undefined; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(await backendOf(marker)).toBeUndefined()
  })

  it("still passes a large result whole to a client that reads it", async () => {
    const socket = await loggedIn()
    let received = 0
    const done = new Promise<void>((resolve) => {
      socket.on("message", (data: Buffer) => {
        received += data.length
        if (data.includes(Buffer.from("Z\0\0\0\u0005I"))) resolve()
      })
    })
    socket.send(message("Q", "SELECT repeat('y', 1000) FROM generate_series(1, 20000)\0"))
    await done
    // Each DataRow: type, length, column count, value length, 1000 bytes.
    expect(received).toBeGreaterThan(20000 * 1011)
    socket.close()
  })
})
