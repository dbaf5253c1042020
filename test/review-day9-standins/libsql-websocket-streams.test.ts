// libsql-local's Hrana over WebSocket ran every request of a socket one after the other, whatever its
// stream. The official client multiplexes a ws:// client's transactions and statements onto one socket,
// so a statement waiting for the write lock that the client's own transaction held sat in front of that
// transaction's next request: the transaction could not go on until the lock was taken from it by force
// (TRANSACTION_TIMEOUT after 5 s), where sqld runs each stream on its own and the statement simply
// waits for the COMMIT. A stream's requests still run in order, and a request's stored SQL texts are
// read as it arrives, as sqld reads them.
import { createClient } from "@libsql/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

let local: LibsqlLocal
const wsUrl = () => local.url.replace("http://", "ws://")
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0 })
})
afterAll(async () => {
  await local?.stop()
})

/** Sends `messages` at once on a fresh hrana2 socket; resolves with the first `count` answers. */
function exchange(messages: unknown[], count: number): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(), ["hrana2"])
    const answers: Record<string, unknown>[] = []
    socket.on("open", () => {
      for (const message of messages) socket.send(JSON.stringify(message))
    })
    socket.on("message", (data) => {
      answers.push(JSON.parse(data.toString()) as Record<string, unknown>)
      if (answers.length === count) {
        socket.close()
        resolve(answers)
      }
    })
    socket.on("close", (code, reason) => reject(new Error(`closed early: ${code} ${reason}`)))
  })
}

describe("libsql-local's Hrana over WebSocket runs the streams of one socket independently", () => {
  it("lets a write wait for the client's own transaction on the same socket, which commits", async () => {
    const client = createClient({ url: wsUrl(), intMode: "bigint" })
    try {
      await client.execute("CREATE TABLE r9_ws_lock (x INTEGER)")
      const transaction = await client.transaction("write")
      await transaction.execute("INSERT INTO r9_ws_lock VALUES (1)")
      // Another stream of the same socket: it waits for the write lock the transaction holds.
      const waiting = client.execute("INSERT INTO r9_ws_lock VALUES (2)")
      await transaction.execute("INSERT INTO r9_ws_lock VALUES (3)")
      await transaction.commit()
      await waiting
      const { rows } = await client.execute("SELECT group_concat(x) AS xs FROM r9_ws_lock")
      expect(rows[0]?.xs).toBe("1,3,2")
    } finally {
      client.close()
    }
  })

  it("lets many requests of one socket wait at once without a listener-leak warning", async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`)
    process.on("warning", onWarning)
    const client = createClient({ url: wsUrl(), intMode: "bigint" })
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => client.batch([`SELECT ${i} AS i`], "write")),
      )
      expect(results.map(([result]) => result?.rows[0]?.i)).toEqual(
        Array.from({ length: 30 }, (_, i) => BigInt(i)),
      )
      // Node emits warnings on the next tick.
      await new Promise((resolve) => setImmediate(resolve))
      expect(warnings.filter((warning) => warning.startsWith("MaxListenersExceededWarning"))).toEqual([])
    } finally {
      process.off("warning", onWarning)
      client.close()
    }
  })

  it("still runs a stream's requests in order, and reads a stored SQL text as the request arrives", async () => {
    const request = (id: number, body: Record<string, unknown>) => ({
      type: "request",
      request_id: id,
      request: body,
    })
    const answers = await exchange(
      [
        { type: "hello", jwt: null },
        request(1, { type: "open_stream", stream_id: 1 }),
        request(2, { type: "store_sql", sql_id: 7, sql: "SELECT 42 AS answer" }),
        request(3, { type: "execute", stream_id: 1, stmt: { sql_id: 7, want_rows: true } }),
        // Sent before the execute runs on its stream: the text it names was read already.
        request(4, { type: "close_sql", sql_id: 7 }),
        request(5, { type: "execute", stream_id: 1, stmt: { sql: "SELECT 1", want_rows: true } }),
        request(6, { type: "close_stream", stream_id: 1 }),
      ],
      7,
    )
    expect(answers[0]?.type).toBe("hello_ok")
    expect(answers.slice(1).every((answer) => answer.type === "response_ok")).toBe(true)
    // The SQL texts are answered as they arrive; the stream's own requests in their order.
    const ids = answers.map((answer) => answer.request_id)
    expect(ids.filter((id) => id === 1 || id === 3 || id === 5 || id === 6)).toEqual([1, 3, 5, 6])
    expect(ids.filter((id) => id === 2 || id === 4)).toEqual([2, 4])
    const executed = answers.find((answer) => answer.request_id === 3) as {
      response: { result: { rows: unknown[][] } }
    }
    expect(executed.response.result.rows).toEqual([[{ type: "integer", value: "42" }]])
  })
})
