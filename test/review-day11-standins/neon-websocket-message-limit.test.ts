// neon-local's WebSocket proxy kept ws's default limit on a client's message, 100 MiB, which ws reads
// whole before the proxy sees it: each socket could make the process hold 100 MiB, and a client past it
// got 1009 with no reason. The limit is now `maxWebSocketMessageBytes` (--max-websocket-message-bytes),
// 64 MiB by default, as Neon's proxy's frame limit and libsql-local's message limit: far more than one
// statement needs (Neon's SQL over HTTP takes 10 MiB a request), and a message past it closes its socket
// with 1009 and a reason naming the limit. A query sent in frames each under the limit still runs.
import { connect, type Socket } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { message, READY, startup } from "../setup/pg-messages.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

const MiB = 1024 * 1024

/** A simple Query of `SELECT length('bbb...')` exactly `bytes` long, header and all. */
function queryOfLength(bytes: number): Buffer {
  const text = (n: number) =>
    Buffer.concat([Buffer.from("SELECT length('"), Buffer.alloc(n, 0x62), Buffer.from("')\0")])
  const overhead = message("Q", text(0)).length
  return message("Q", text(bytes - overhead))
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10))
}

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let small: NeonLocal
let standard: NeonLocal
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  small = await startNeonLocal({
    upstream: database.url,
    port: 0,
    anyPassword: true,
    maxWebSocketMessageBytes: MiB,
  })
  standard = await startNeonLocal({ upstream: database.url, port: 0, anyPassword: true })
})
afterAll(async () => {
  await small?.stop()
  await standard?.stop()
  await database?.drop()
})

interface Session {
  socket: WebSocket
  received: () => Buffer
  clear: () => void
  closed: Promise<{ code: number; reason: string }>
}

/** A WebSocket session through `local`, logged in and ready for queries. */
async function loggedIn(local: NeonLocal): Promise<Session> {
  const url = new URL(database.url)
  const socket = new WebSocket(`ws://${local.wsProxy()}?address=${url.hostname}:${url.port || 5432}`)
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject))
  socket.on("error", () => undefined)
  let received = Buffer.alloc(0)
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  socket.on("message", (data: Buffer) => {
    received = Buffer.concat([received, data])
  })
  socket.send(startup(decodeURIComponent(url.username), url.pathname.slice(1)))
  socket.send(message("p", Buffer.from("any\0")))
  await until(() => received.includes(READY))
  return { socket, received: () => received, clear: () => (received = Buffer.alloc(0)), closed }
}

/** Resolves with the close frame's code and reason, or says the socket stayed open 10 s. */
function closeOrStillOpen(closed: Promise<{ code: number; reason: string }>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    closed,
    new Promise((resolve) => {
      timer = setTimeout(() => resolve("still open after 10 s"), 10_000)
    }),
  ]).finally(() => clearTimeout(timer))
}

describe("neon-local's limit on a WebSocket message (maxWebSocketMessageBytes)", () => {
  it("runs a query of exactly the limit, and closes a socket whose message is one byte over with 1009 and the reason", async () => {
    const client = await loggedIn(small)
    client.clear()
    const exact = queryOfLength(MiB)
    expect(exact.length).toBe(MiB)
    client.socket.send(exact)
    await until(() => client.received().includes(READY))
    expect(client.received().toString("latin1")).toContain(String(MiB - 23))

    const other = await loggedIn(small)
    client.socket.send(queryOfLength(MiB + 1))
    expect(await closeOrStillOpen(client.closed)).toEqual({
      code: 1009,
      reason:
        "message over 1048576 bytes: neon-local's limit (maxWebSocketMessageBytes, --max-websocket-message-bytes)",
    })
    // Other sessions go on.
    other.clear()
    other.socket.send(message("Q", Buffer.from("SELECT 'other session' AS r11\0")))
    await until(() => other.received().includes(READY))
    expect(other.received().toString("latin1")).toContain("other session")
    other.socket.close()
  })

  it("still runs a query longer than the limit sent in frames under it", async () => {
    const client = await loggedIn(small)
    client.clear()
    const query = queryOfLength(2 * MiB)
    for (let at = 0; at < query.length; at += 64 * 1024)
      client.socket.send(query.subarray(at, at + 64 * 1024))
    await until(() => client.received().includes(READY))
    expect(client.received().toString("latin1")).toContain(String(2 * MiB - 23))
    client.socket.close()
  })

  it("is 64 MiB by default: a frame declaring 64 MiB and a byte is refused at its header", async () => {
    // A hand-made upgrade and frame header: nothing of the 64 MiB is sent, nor allocated on either side.
    const url = new URL(database.url)
    const socket: Socket = connect(standard.port, "127.0.0.1")
    socket.on("error", () => undefined)
    let received = Buffer.alloc(0)
    let isClosed = false
    socket.on("data", (data) => {
      received = Buffer.concat([received, data])
    })
    socket.once("close", () => {
      isClosed = true
    })
    await new Promise((resolve) => socket.once("connect", resolve))
    socket.write(
      `GET /v2?address=${url.hostname}:${url.port || 5432} HTTP/1.1\r\nhost: local\r\n` +
        "upgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\n" +
        "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    )
    await until(() => received.includes("\r\n\r\n"))
    expect(received.toString("latin1")).toMatch(/^HTTP\/1\.1 101 /)
    received = received.subarray(received.indexOf("\r\n\r\n") + 4)
    // FIN and binary; masked, a 64-bit length of 64 MiB + 1; the mask; the payload's first bytes.
    const header = Buffer.alloc(14)
    header[0] = 0x82
    header[1] = 0x80 | 127
    header.writeBigUInt64BE(BigInt(64 * MiB + 1), 2)
    socket.write(Buffer.concat([header, Buffer.alloc(16)]))
    await Promise.race([
      until(() => isClosed || received.length >= 2),
      new Promise((resolve) => setTimeout(resolve, 10_000)),
    ])
    // The old server waited for the 64 MiB (its limit was 100 MiB): nothing came back.
    expect(received.length, "a close frame").toBeGreaterThanOrEqual(4)
    expect(received[0]).toBe(0x88)
    const length = (received[1] ?? 0) & 0x7f
    await until(() => received.length >= 2 + length || isClosed)
    expect(received.readUInt16BE(2)).toBe(1009)
    expect(received.subarray(4, 2 + length).toString()).toBe(
      "message over 67108864 bytes: neon-local's limit (maxWebSocketMessageBytes, --max-websocket-message-bytes)",
    )
    socket.destroy()
  })
})
