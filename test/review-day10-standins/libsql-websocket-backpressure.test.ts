// libsql-local's Hrana over WebSocket read every message a client sent as it came, queued every request
// and held every answer the client did not read: a client pipelining requests without reading the
// answers grew the server's memory without bound. As sqld (a stream's channel of 8, and a write it
// awaits), a stream now takes at most 8 requests waiting behind the running one, and the socket is read
// no further while one is full or more than 1 MiB of answers waits for a client that does not read;
// what it sent meanwhile is read, in order, once there is room, and every request is answered.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

let local: LibsqlLocal
beforeAll(async () => {
  // A transaction that holds the write lock past 300 ms loses it to a waiting writer.
  local = await startLibsqlLocal({ port: 0, transactionTimeoutMs: 300 })
})
afterAll(async () => {
  await local?.stop()
})

type Answer = Record<string, unknown> & { request_id?: number }

/** A greeted hrana2 socket on `/s/<scope>/`, its answers in arrival order. */
async function connect(scope: string) {
  const socket = new WebSocket(`${local.url.replace("http://", "ws://")}/s/${scope}/`, ["hrana2"])
  const answers: Answer[] = []
  let closed = ""
  socket.on("message", (data) => answers.push(JSON.parse(data.toString()) as Answer))
  socket.on("close", (code, reason) => {
    closed = `${code} ${reason}`
  })
  await new Promise((resolve) => socket.once("open", resolve))
  socket.send(JSON.stringify({ type: "hello" }))
  const request = (id: number, body: Record<string, unknown>) =>
    socket.send(JSON.stringify({ type: "request", request_id: id, request: body }))
  const answered = (...ids: number[]) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (ids.every((id) => answers.some((answer) => answer.request_id === id))) resolve()
        else if (closed) reject(new Error(`closed: ${closed}`))
        else setTimeout(check, 5)
      }
      check()
    })
  return { socket, answers, request, answered }
}

const execute = (streamId: number, sql: string) => ({
  type: "execute",
  stream_id: streamId,
  stmt: { sql, want_rows: true },
})

describe("libsql-local's Hrana over WebSocket bounds what a client can make it hold", () => {
  it("reads a stream's tenth request only once the stream has room, as sqld does", async () => {
    const { socket, answers, request, answered } = await connect("full-stream")
    try {
      request(1, { type: "open_stream", stream_id: 1 })
      request(2, { type: "open_stream", stream_id: 2 })
      request(3, execute(1, "CREATE TABLE r10_ws_bound (x)"))
      // Stream 2 holds the write lock, so stream 1's inserts wait (300 ms, then they take it).
      request(4, execute(2, "BEGIN IMMEDIATE"))
      request(5, execute(2, "INSERT INTO r10_ws_bound VALUES (0)"))
      await answered(3, 4, 5)
      const inserts = Array.from({ length: 30 }, (_, i) => 100 + i)
      for (const id of inserts) request(id, execute(1, `INSERT INTO r10_ws_bound VALUES (${id})`))
      // Answered at once when read: read only after 30 - 9 inserts were done.
      request(999, { type: "store_sql", sql_id: 1, sql: "SELECT 1" })
      await answered(...inserts, 999)
      const order = answers.map((answer) => answer.request_id)
      const insertsBefore = order.slice(0, order.indexOf(999)).filter((id) => inserts.includes(id as number))
      expect(insertsBefore.length).toBeGreaterThanOrEqual(21)
      expect(answers.filter((answer) => inserts.includes(answer.request_id as number))).toEqual(
        inserts.map((id) => expect.objectContaining({ type: "response_ok", request_id: id })),
      )
    } finally {
      socket.close()
    }
  })

  it("stops reading a client that does not read its answers, and goes on once it does", async () => {
    const { socket, answers, request, answered } = await connect("unread")
    try {
      request(1, { type: "open_stream", stream_id: 1 })
      await answered(1)
      // The client reads nothing more; each answer is about 1.3 MB of JSON.
      socket.pause()
      const selects = Array.from({ length: 60 }, (_, i) => 100 + i)
      for (const id of selects) request(id, execute(1, "SELECT zeroblob(1000000)"))
      // Wait until the server runs no more of them.
      let ran = -1
      for (let same = 0; same < 10 && ran < selects.length; ) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        const now = local.stats("unread").statements
        same = now === ran ? same + 1 : 0
        ran = now
      }
      expect(ran).toBeLessThan(selects.length)
      socket.resume()
      await answered(...selects)
      expect(local.stats("unread").statements).toBe(selects.length)
      expect(answers.filter((answer) => answer.type !== "response_ok")).toEqual([{ type: "hello_ok" }])
    } finally {
      socket.close()
    }
  }, 30_000)
})
