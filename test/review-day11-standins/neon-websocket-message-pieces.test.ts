// neon-local's WebSocket proxy held each of a logged-in client's messages whole before passing it on,
// up to PostgreSQL's 1 GB limit: a client that declared a long message and sent it slowly made the
// process allocate as much as it declared, per connection. Once the client has logged in, the proxy
// now passes its bytes on as they come, a message that spans frames in pieces (Neon's proxy, logged
// in, copies bytes), and holds at most a message header between frames. PostgreSQL applies its own
// limits as the bytes reach it: a Sync declaring 20,000 bytes (PostgreSQL takes at most 10,000 for
// one, PQ_SMALL_MESSAGE_LIMIT) ends the session at once, where the proxy used to wait for the 20,000
// bytes. Other sessions go on; a message in small frames still runs, and counts once.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { message, READY, startup } from "../setup/pg-messages.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let local: NeonLocal
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  local = await startNeonLocal({ upstream: database.url, port: 0, anyPassword: true })
})
afterAll(async () => {
  await local?.stop()
  await database?.drop()
})

interface Session {
  socket: WebSocket
  received: () => Buffer
  clear: () => void
  closed: Promise<void>
  isClosed: () => boolean
}

/** A WebSocket session through the proxy, logged in and ready for queries. */
async function loggedIn(scope?: string): Promise<Session> {
  const url = new URL(database.url)
  const socket = new WebSocket(`ws://${local.wsProxy(scope)}?address=${url.hostname}:${url.port || 5432}`)
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject))
  let received = Buffer.alloc(0)
  let isClosed = false
  const closed = new Promise<void>((resolve) =>
    socket.once("close", () => {
      isClosed = true
      resolve()
    }),
  )
  socket.on("message", (data: Buffer) => {
    received = Buffer.concat([received, data])
  })
  socket.send(startup(decodeURIComponent(url.username), url.pathname.slice(1)))
  socket.send(message("p", Buffer.from("any\0")))
  await until(() => received.includes(READY))
  return {
    socket,
    received: () => received,
    clear: () => (received = Buffer.alloc(0)),
    closed,
    isClosed: () => isClosed,
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10))
}

describe("neon-local's WebSocket proxy and a logged-in client's long messages", () => {
  it("passes a message's bytes on before the message is whole: PostgreSQL refuses a Sync of 20,000 bytes at its header", async () => {
    const other = await loggedIn()
    const client = await loggedIn()
    client.clear()
    // A Sync declaring 20,000 bytes, of which 100 come: PostgreSQL reads the header and ends the session.
    const header = Buffer.alloc(5)
    header.write("S", 0)
    header.writeInt32BE(20_000, 1)
    client.socket.send(Buffer.concat([header, Buffer.alloc(100)]))
    // The old proxy held the 105 bytes, waiting for the rest, and the socket stayed open.
    const outcome = await Promise.race([
      client.closed.then(() => "closed"),
      new Promise((resolve) => setTimeout(() => resolve("still open: the proxy held the message"), 10_000)),
    ])
    expect(outcome).toBe("closed")

    // The other session is untouched.
    other.clear()
    other.socket.send(message("Q", Buffer.from("SELECT 'other session' AS r11\0")))
    await until(() => other.received().includes(READY))
    expect(other.received().toString("latin1")).toContain("other session")
    expect(other.isClosed()).toBe(false)
    other.socket.close()
  })

  it("runs a 2 MB query sent in 1 KB frames, its header split too, as one statement and one round trip", async () => {
    const client = await loggedIn("r11-pieces")
    local.resetStats("r11-pieces")
    client.clear()
    const query = message(
      "Q",
      Buffer.concat([
        Buffer.from("SELECT length('"),
        Buffer.alloc(2 * 1024 * 1024, 0x62),
        Buffer.from("')\0"),
      ]),
    )
    // The header over two frames, then the header's last byte alone, then the rest in 1 KB frames.
    client.socket.send(query.subarray(0, 3))
    client.socket.send(query.subarray(3, 5))
    for (let at = 5; at < query.length; at += 1024) client.socket.send(query.subarray(at, at + 1024))
    await until(() => client.received().includes(READY))
    expect(client.received().toString("latin1")).toContain(String(2 * 1024 * 1024))
    expect(local.stats("r11-pieces")).toMatchObject({ statements: 1, wsRoundTrips: 1 })

    // Messages after it, and Terminate, are read as before: a whole one behind a piece in one frame.
    client.clear()
    const second = message("Q", Buffer.from("SELECT 'after the pieces' AS r11\0"))
    client.socket.send(second.subarray(0, 10))
    client.socket.send(Buffer.concat([second.subarray(10), message("Q", Buffer.from("SELECT 2\0"))]))
    await until(() => client.received().indexOf(READY) !== client.received().lastIndexOf(READY))
    expect(client.received().toString("latin1")).toContain("after the pieces")
    expect(local.stats("r11-pieces")).toMatchObject({ statements: 3, wsRoundTrips: 2 })
    client.socket.send(message("X", Buffer.alloc(0)))
    await client.closed
  })

  it("runs a query whose first piece came behind the password, while the proxy logged in", async () => {
    const url = new URL(database.url)
    const socket = new WebSocket(
      `ws://${local.wsProxy("r11-behind")}?address=${url.hostname}:${url.port || 5432}`,
    )
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject))
    let received = Buffer.alloc(0)
    socket.on("message", (data: Buffer) => {
      received = Buffer.concat([received, data])
    })
    local.resetStats("r11-behind")
    const query = message("Q", Buffer.from(`SELECT '${"c".repeat(5000)}' AS behind\0`))
    socket.send(startup(decodeURIComponent(url.username), url.pathname.slice(1)))
    socket.send(Buffer.concat([message("p", Buffer.from("any\0")), query.subarray(0, 100)]))
    socket.send(query.subarray(100, 2000))
    socket.send(query.subarray(2000))
    // The login's ReadyForQuery, then the query's.
    await until(() => received.indexOf(READY) !== received.lastIndexOf(READY))
    expect(received.toString("latin1")).toContain("c".repeat(5000))
    expect(local.stats("r11-behind")).toMatchObject({ statements: 1 })
    socket.close()
  })
})
