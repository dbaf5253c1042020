// Over WebSocket sqld bounds a connection's stored SQL texts by count (150), each of any size, and so did
// libsql-local: 150 texts of 64 MiB, on one socket or spread over a few, exhausted its heap. The texts all
// sockets store now take at most `maxStoredSqlBytes` (default 256 MiB); past it store_sql is answered
// SQL_STORE_TOO_LARGE, saying so, the socket goes on, and the room comes back as texts are closed or
// their sockets end.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

let local: LibsqlLocal
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0, maxStoredSqlBytes: 100_000 })
})
afterAll(async () => {
  await local?.stop()
})

/** A greeted hrana2 socket; `ask` sends a request and resolves with its answer. */
async function connect() {
  const socket = new WebSocket(local.url.replace("http://", "ws://"), ["hrana2"])
  const waiting = new Map<number, (answer: Record<string, unknown>) => void>()
  socket.on("message", (data) => {
    const answer = JSON.parse(data.toString()) as Record<string, unknown>
    waiting.get(answer.request_id as number)?.(answer)
  })
  await new Promise((resolve) => socket.once("open", resolve))
  socket.send(JSON.stringify({ type: "hello" }))
  let next = 1
  const ask = (request: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = next++
      waiting.set(id, resolve)
      socket.send(JSON.stringify({ type: "request", request_id: id, request }))
    })
  return { socket, ask }
}

const text = (n: number) => `SELECT '${"x".repeat(40_000)}' AS n${n}`

describe("libsql-local bounds the SQL texts its WebSocket clients store", () => {
  it("refuses a text past the limit with SQL_STORE_TOO_LARGE, and takes it once room is made", async () => {
    const first = await connect()
    const second = await connect()
    try {
      expect(await first.ask({ type: "store_sql", sql_id: 1, sql: text(1) })).toMatchObject({
        type: "response_ok",
      })
      expect(await second.ask({ type: "store_sql", sql_id: 1, sql: text(2) })).toMatchObject({
        type: "response_ok",
      })
      // Two texts of about 40 kB are stored; a third passes 100 kB.
      expect(await second.ask({ type: "store_sql", sql_id: 2, sql: text(3) })).toMatchObject({
        type: "response_error",
        error: {
          code: "SQL_STORE_TOO_LARGE",
          message:
            "The statement is too large to be stored: libsql-local's sockets already store 80.0 KB of SQL texts, and keep at most 100.0 KB (close_sql the texts no longer used)",
        },
      })
      // Closing a text makes room; so does a socket's end.
      await second.ask({ type: "close_sql", sql_id: 1 })
      expect(await second.ask({ type: "store_sql", sql_id: 2, sql: text(3) })).toMatchObject({
        type: "response_ok",
      })
      first.socket.close()
      await new Promise((resolve) => first.socket.once("close", resolve))
      const third = await connect()
      try {
        for (let i = 0; i < 100; i++) {
          const answer = await third.ask({ type: "store_sql", sql_id: 1, sql: text(4) })
          if (answer.type === "response_ok") break
          // The server learns of the first socket's end a moment after it closes.
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        expect(await third.ask({ type: "open_stream", stream_id: 1 })).toMatchObject({ type: "response_ok" })
        const run = await third.ask({ type: "execute", stream_id: 1, stmt: { sql_id: 1, want_rows: true } })
        expect(run).toMatchObject({ type: "response_ok", response: { result: { cols: [{ name: "n4" }] } } })
      } finally {
        third.socket.close()
      }
    } finally {
      first.socket.close()
      second.socket.close()
    }
  })
})
