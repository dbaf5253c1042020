// neon-local's WebSocket proxy reads PostgreSQL messages that arrive over many frames in time linear
// in their size, and refuses a length PostgreSQL refuses before waiting for the bytes. It joined the
// whole of an unfinished message with every new frame: a 40 MB query sent in 16 KB frames (a client
// that writes in pieces) copied about 50 GB and held the server's event loop, every other client
// with it, for 108 s; and a message declaring 2 GB was buffered until it came, where PostgreSQL
// refuses any length over 1 GB at once ("invalid message length").
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import WebSocket from "ws"
import { FrontendParser, ProtocolViolation } from "../../tools/neon-local/frontend-messages.ts"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { message, READY, startup } from "../setup/pg-messages.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

const MIB = 1024 * 1024
afterEach(() => {
  vi.restoreAllMocks()
})

describe("FrontendParser and a message over many chunks", () => {
  it("copies a message's bytes a bounded number of times, however many chunks bring them", () => {
    const query = message(
      "Q",
      Buffer.concat([Buffer.from("SELECT '"), Buffer.alloc(MIB, 0x61), Buffer.from("'\0")]),
    )
    const parser = new FrontendParser()
    parser.push(startup("u", "d"))
    const concat = vi.spyOn(Buffer, "concat")
    const messages = []
    for (let at = 0; at < query.length; at += 1024)
      messages.push(...parser.push(query.subarray(at, at + 1024)))
    const copied = concat.mock.results.reduce((sum, result) => sum + (result.value as Buffer).length, 0)
    expect(messages.map((m) => [m.type, m.bytes.length])).toEqual([["Q", query.length]])
    expect(messages[0]?.bytes.equals(query)).toBe(true)
    expect(copied).toBeLessThanOrEqual(2 * query.length)
  })

  it("still splits many messages in one chunk, and messages across chunk edges", () => {
    const parser = new FrontendParser()
    parser.push(startup("u", "d"))
    const stream = Buffer.concat([
      message("Q", Buffer.from("SELECT 1\0")),
      message("S", Buffer.alloc(0)),
      message("X", Buffer.alloc(0)),
    ])
    const types: string[] = []
    for (let at = 0; at < stream.length; at += 3)
      types.push(...parser.push(stream.subarray(at, at + 3)).map((m) => m.type))
    expect(types).toEqual(["Q", "S", "X"])
    expect(parser.push(stream).map((m) => m.type)).toEqual(["Q", "S", "X"])
  })

  it("refuses a length over PostgreSQL's 1 GB limit before its bytes arrive", () => {
    const parser = new FrontendParser()
    parser.push(startup("u", "d"))
    const header = Buffer.alloc(5)
    header.write("Q", 0)
    header.writeInt32BE(0x7fffffff, 1)
    expect(() => parser.push(header)).toThrow(new ProtocolViolation("invalid message length"))
  })
})

describe("neon-local and a large message in small frames", () => {
  let database: Awaited<ReturnType<typeof createScratchDatabase>>
  let local: NeonLocal
  beforeAll(async () => {
    database = await createScratchDatabase(pgUrl())
    local = await startNeonLocal({ upstream: database.url, port: 0, anyPassword: true })
  })
  afterAll(async () => {
    await local.stop()
    await database.drop()
  })

  async function loggedIn(): Promise<{ socket: WebSocket; received: () => Buffer; clear: () => void }> {
    const url = new URL(database.url)
    const socket = new WebSocket(`ws://${local.wsProxy()}?address=${url.hostname}:${url.port || 5432}`)
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject))
    let received = Buffer.alloc(0)
    socket.on("message", (data: Buffer) => {
      received = Buffer.concat([received, data])
    })
    socket.send(startup(decodeURIComponent(url.username), url.pathname.slice(1)))
    socket.send(message("p", Buffer.from("any\0")))
    await until(() => received.includes(READY))
    return { socket, received: () => received, clear: () => (received = Buffer.alloc(0)) }
  }

  async function until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10))
  }

  it("passes a 16 MB query sent in 16 KB frames to PostgreSQL and its answer back", async () => {
    const client = await loggedIn()
    client.clear()
    const text = Buffer.concat([
      Buffer.from("SELECT length('"),
      Buffer.alloc(16 * MIB, 0x61),
      Buffer.from("')\0"),
    ])
    const query = message("Q", text)
    for (let at = 0; at < query.length; at += 16 * 1024)
      client.socket.send(query.subarray(at, at + 16 * 1024))
    await until(() => client.received().includes(READY))
    expect(client.received().includes(Buffer.from(String(16 * MIB)))).toBe(true)
    client.socket.close()
  })

  it("answers a message declaring 2 GB with PostgreSQL's FATAL at once", async () => {
    const client = await loggedIn()
    client.clear()
    const closed = new Promise((resolve) => client.socket.once("close", resolve))
    const header = Buffer.alloc(5)
    header.write("Q", 0)
    header.writeInt32BE(0x7fffffff, 1)
    client.socket.send(header)
    await closed
    expect(client.received().toString("latin1")).toContain("C08P01\0Minvalid message length\0")
  })
})
