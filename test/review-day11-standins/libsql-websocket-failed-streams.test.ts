// libsql-local's Hrana over WebSocket keeps a stream that failed to open until its client closes it, as
// sqld does, to answer its requests STREAM_NOT_OPEN; the official client closes each at once. A client
// that never closed them grew the socket's memory for as long as the socket lived: each failed open
// left its id behind. Now a socket keeps at most 1,024 such streams; past them it is closed with the
// reason (1002). A client that closes its failed streams opens and fails any number of them.
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { MAX_FAILED_STREAMS } from "../../tools/libsql-local/websocket.ts"

/** One connection for all streams, refused after 10 ms of waiting (at once past 128 waiting); a
 *  server of its own for each test, whose sockets hold that connection. */
let local: LibsqlLocal
beforeEach(async () => {
  local = await startLibsqlLocal({ port: 0, maxConcurrentConnections: 1, connectionWaitMs: 10 })
})
afterEach(async () => {
  await local?.stop()
})

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

/** A greeted socket whose stream 1 holds the only connection. */
async function holder() {
  const socket = new WebSocket(local.url.replace("http://", "ws://"), ["hrana2"])
  const answers: Record<string, unknown>[] = []
  let closed = ""
  socket.on("close", (code, reason) => {
    closed = `${code} ${reason}`
  })
  socket.on("message", (data) => answers.push(JSON.parse(data.toString()) as Record<string, unknown>))
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject))
  const request = (id: number, body: Record<string, unknown>) =>
    socket.send(JSON.stringify({ type: "request", request_id: id, request: body }))
  socket.send(JSON.stringify({ type: "hello" }))
  request(1, { type: "open_stream", stream_id: 1 })
  await until(() => answers.length === 2)
  expect(answers[1]).toEqual({ type: "response_ok", request_id: 1, response: { type: "open_stream" } })
  return { socket, answers, request, closed: () => closed }
}

describe("libsql-local's Hrana over WebSocket and streams that failed to open", () => {
  it(`closes a socket that leaves more than ${MAX_FAILED_STREAMS} of them unclosed`, async () => {
    const { socket, answers, request, closed } = await holder()
    const opens = MAX_FAILED_STREAMS + 1
    for (let id = 2; id < 2 + opens; id++) request(id, { type: "open_stream", stream_id: id })
    // The old server answered every one and kept every id, the socket open.
    await until(() => closed() !== "" || answers.length === 2 + opens)
    expect(closed()).toBe(
      `1002 More than ${MAX_FAILED_STREAMS} streams failed to open and were not closed (close_stream them)`,
    )
    const refused = answers.filter(
      (answer) => (answer.error as { code?: string } | undefined)?.code === "TOO_MANY_CONNECTIONS",
    )
    expect(refused).toHaveLength(MAX_FAILED_STREAMS)
    socket.terminate()
  })

  it("keeps a socket whose client closes each failed stream, however many fail", async () => {
    const { socket, answers, request, closed } = await holder()
    const opens = 2 * MAX_FAILED_STREAMS
    // Ids reused, as the official client reuses them once closed.
    for (let i = 0; i < opens; i++) {
      const id = 2 + (i % 300)
      request(10 + 2 * i, { type: "open_stream", stream_id: id })
      request(11 + 2 * i, { type: "close_stream", stream_id: id })
    }
    request(5, { type: "execute", stream_id: 1, stmt: { sql: "SELECT 5 AS five", want_rows: true } })
    await until(() => closed() !== "" || answers.length === 2 + 2 * opens + 1)
    expect(closed()).toBe("")
    const closes = answers.filter((answer) => (answer.response as { type?: string })?.type === "close_stream")
    expect(closes).toHaveLength(opens)
    expect(answers.find((answer) => answer.request_id === 5)).toMatchObject({
      type: "response_ok",
      response: { type: "execute", result: { rows: [[{ type: "integer", value: "5" }]] } },
    })
    socket.close()
  })
})
