// libsql-local's Hrana over WebSocket closed the socket (1002 "Stream 2 not found") when a request came
// on a stream whose open_stream had failed (past the connection limit, say): every other stream of the
// socket, and so every transaction of a ws:// client, went with it. sqld answers such a request with a
// response_error, STREAM_NOT_OPEN "Stream 2 has failed to open" (hrana/ws/session.rs), and keeps the
// socket; the stream can still be closed.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

/** One connection for all streams, refused after 50 ms of waiting. */
let local: LibsqlLocal
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0, maxConcurrentConnections: 1, connectionWaitMs: 50 })
})
afterAll(async () => {
  await local?.stop()
})

describe("libsql-local's Hrana over WebSocket answers a request on a stream that failed to open", () => {
  it("with STREAM_NOT_OPEN, as sqld does, and keeps the socket and its other streams", async () => {
    const socket = new WebSocket(local.url.replace("http://", "ws://"), ["hrana2"])
    const answers: Record<string, unknown>[] = []
    let closed = ""
    socket.on("close", (code, reason) => {
      closed = `${code} ${reason}`
    })
    const received = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (answers.length >= count) resolve()
          else if (closed) reject(new Error(`closed: ${closed}`))
          else setTimeout(check, 5)
        }
        check()
      })
    socket.on("message", (data) => answers.push(JSON.parse(data.toString()) as Record<string, unknown>))
    await new Promise((resolve) => socket.once("open", resolve))
    const request = (id: number, body: Record<string, unknown>) =>
      socket.send(JSON.stringify({ type: "request", request_id: id, request: body }))
    try {
      socket.send(JSON.stringify({ type: "hello" }))
      request(1, { type: "open_stream", stream_id: 1 })
      // The only connection is stream 1's.
      request(2, { type: "open_stream", stream_id: 2 })
      request(3, { type: "execute", stream_id: 2, stmt: { sql: "SELECT 1", want_rows: true } })
      request(4, { type: "close_stream", stream_id: 2 })
      request(5, { type: "execute", stream_id: 1, stmt: { sql: "SELECT 5 AS five", want_rows: true } })
      await received(6)
      const byId = new Map(answers.map((answer) => [answer.request_id, answer]))
      expect(byId.get(2)).toMatchObject({ type: "response_error", error: { code: "TOO_MANY_CONNECTIONS" } })
      expect(byId.get(3)).toEqual({
        type: "response_error",
        request_id: 3,
        error: { message: "Stream 2 has failed to open", code: "STREAM_NOT_OPEN" },
      })
      expect(byId.get(4)).toEqual({ type: "response_ok", request_id: 4, response: { type: "close_stream" } })
      expect(byId.get(5)).toMatchObject({
        type: "response_ok",
        response: { type: "execute", result: { rows: [[{ type: "integer", value: "5" }]] } },
      })
      expect(closed).toBe("")
    } finally {
      socket.close()
    }
  })
})
