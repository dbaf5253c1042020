// libsql-local serves Hrana over WebSocket (subprotocol hrana2, JSON) on its port, as sqld (and so
// `turso dev`) does: @libsql/client with a ws:// URL worked against Turso and failed here with
// "HRANA_WEBSOCKET_ERROR: Unexpected server response: 200". Its streams take connections from the same
// limit as HTTP streams and are given back when the client closes them or its socket, rolling back
// what they left open.
import { createClient } from "@libsql/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

/** `limited` has one connection for all its streams. */
let local: LibsqlLocal
let limited: LibsqlLocal
const ws = (server: LibsqlLocal) => server.url.replace("http://", "ws://")
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0, authToken: "t8" })
  limited = await startLibsqlLocal({ port: 0, authToken: "t8", maxConcurrentConnections: 1 })
})
afterAll(async () => {
  await local.stop()
  await limited.stop()
})

async function httpStatus(): Promise<number> {
  const response = await fetch(`${limited.url}/v2/pipeline`, {
    method: "POST",
    headers: { authorization: "Bearer t8" },
    body: JSON.stringify({ requests: [{ type: "execute", stmt: { sql: "SELECT 1" } }, { type: "close" }] }),
  })
  await response.text()
  return response.status
}

describe("libsql-local speaks Hrana over WebSocket to the official client", () => {
  it("runs statements, batches, transactions and errors as over HTTP", async () => {
    const client = createClient({ url: ws(local), authToken: "t8", intMode: "bigint" })
    await client.execute("CREATE TABLE r8_ws (a)")
    await client.batch(
      [{ sql: "INSERT INTO r8_ws VALUES (?)", args: [1n] }, "INSERT INTO r8_ws VALUES (2)"],
      "write",
    )
    const transaction = await client.transaction("write")
    await transaction.execute("INSERT INTO r8_ws VALUES (3)")
    await transaction.rollback()
    await client.executeMultiple("INSERT INTO r8_ws VALUES (4); INSERT INTO r8_ws VALUES (5);")
    const { rows } = await client.execute("SELECT group_concat(a) AS a FROM r8_ws")
    expect(rows[0]?.a).toBe("1,2,4,5")
    await expect(client.execute("SELECT nope")).rejects.toThrow(/SQLITE_ERROR.*no such column: nope/)
    client.close()
  })

  it("stores a connection's SQL texts as sqld does over WebSocket (150, not an HTTP stream's 50)", async () => {
    // The client stores each text of a large batch on the connection; past 50 the statements that
    // name them failed with 'SQL text 50 not found' and the socket was closed.
    const client = createClient({ url: ws(local), authToken: "t8" })
    const statements = Array.from({ length: 300 }, (_, i) => `SELECT ${i}`)
    const results = await client.batch(statements, "read")
    expect(results.map((result) => result.rows[0]?.[0])).toEqual(statements.map((_, i) => i))
    client.close()
  })

  it("refuses a wrong token", async () => {
    const client = createClient({ url: ws(local), authToken: "wrong" })
    await expect(client.execute("SELECT 1")).rejects.toThrow(/Authentication failed/)
    client.close()
  })

  it("closes the socket of a client that breaks the protocol, in sqld's words (1002)", async () => {
    const closing = (messages: string[]) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(ws(local), ["hrana2"])
        socket.on("open", () => {
          for (const message of messages) socket.send(message)
        })
        socket.on("close", (code, reason) => resolve(`${code} ${reason}`))
      })
    const hello = '{"type":"hello","jwt":"t8"}'
    expect(
      await closing(['{"type":"request","request_id":1,"request":{"type":"open_stream","stream_id":1}}']),
    ).toBe("1002 Received a request before hello message")
    expect(
      await closing([
        hello,
        '{"type":"request","request_id":1,"request":{"type":"open_stream","stream_id":1,"stream_id":2}}',
      ]),
    ).toBe("1002 Cannot deserialize client message from JSON: duplicate field `stream_id`")
    expect(
      await closing([
        hello,
        '{"type":"request","request_id":1,"request":{"type":"execute","stream_id":7,"stmt":{"sql":"SELECT 1"}}}',
      ]),
    ).toBe("1002 Stream 7 not found")
  })

  it("counts its streams against the connection limit and gives them back on close", async () => {
    const setup = createClient({ url: ws(limited), authToken: "t8" })
    await setup.execute("CREATE TABLE r8_ws (a)")
    setup.close()
    const client = createClient({ url: ws(limited), authToken: "t8" })
    const transaction = await client.transaction("write")
    await transaction.execute("INSERT INTO r8_ws VALUES (9)")
    // The one connection is the WebSocket stream's: an HTTP stream waits 1 s and is refused.
    expect(await httpStatus()).toBe(429)
    // Closing the client ends its stream and rolls its transaction back.
    client.close()
    for (let i = 0; i < 100 && (await httpStatus()) !== 200; i++) await new Promise((r) => setTimeout(r, 20))
    expect(await httpStatus()).toBe(200)
    const reader = createClient({ url: ws(limited), authToken: "t8" })
    expect((await reader.execute("SELECT count(*) AS n FROM r8_ws WHERE a = 9")).rows[0]?.n).toBe(0)
    reader.close()
  })
})
