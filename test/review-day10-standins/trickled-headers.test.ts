// Both stand-ins gave a request's body 30 s (bodyTimeoutMs), but its headers only Node's defaults: 60 s,
// checked every 30 s, so a client trickling its headers held a connection for up to 90 s, and could not
// be limited. Headers now have `headersTimeoutMs` (default 30 s, hyper's header_read_timeout, which sqld
// and Neon's proxy keep); past it the client is answered 408 saying so and its connection closed. The
// whole request has both limits together; the time an answer takes is not counted, nor an idle
// kept-alive connection's time between requests.
import { connect } from "node:net"
import { createClient } from "@libsql/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { parseAnswer } from "../review-day9-standins/stalled-request.ts"
import { pgUrl } from "../setup/postgres.ts"

let libsql: LibsqlLocal
let neon: NeonLocal
beforeAll(async () => {
  libsql = await startLibsqlLocal({ port: 0, headersTimeoutMs: 300, bodyTimeoutMs: 300 })
  neon = await startNeonLocal({ upstream: pgUrl(), port: 0, headersTimeoutMs: 300, bodyTimeoutMs: 300 })
})
afterAll(async () => {
  await libsql?.stop()
  await neon?.stop()
})

/** Sends a request line, then one header line every 50 ms, never ending the headers; resolves with
 *  what the server sent before it closed the connection. */
function trickleHeaders(port: number, path: string): Promise<string> {
  const socket = connect({ host: "127.0.0.1", port })
  socket.on("error", () => undefined)
  socket.write(`POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n`)
  let header = 0
  const trickle = setInterval(() => {
    if (socket.writable) socket.write(`x-trickle-${header++}: 1\r\n`)
  }, 50)
  let received = ""
  socket.on("data", (data) => {
    received += data.toString()
  })
  return new Promise((resolve) =>
    socket.on("close", () => {
      clearInterval(trickle)
      resolve(received)
    }),
  )
}

describe("the stand-ins bound the time a request's headers take to arrive", () => {
  for (const [name, path] of [
    ["libsql-local", "/v2/pipeline"],
    ["neon-local", "/sql"],
  ] as const) {
    it(`${name} answers 408 and closes the connection of a client that trickles its headers`, async () => {
      const port = name === "libsql-local" ? libsql.port : neon.port
      const { status, headers, body } = parseAnswer(await trickleHeaders(port, path))
      expect(status).toBe("HTTP/1.1 408 Request Timeout")
      expect(headers).toContain("connection: close")
      expect(body).toBe(
        `Request not received in time (${name}'s limits: headers within 300 ms, the whole request within 600 ms; 0 is none): send the request at once`,
      )
    })
  }

  it("counts neither an answer's time nor an idle kept-alive connection's, nor a WebSocket's", async () => {
    const client = createClient({ url: libsql.url })
    const overWebSocket = createClient({ url: libsql.url.replace("http://", "ws://") })
    try {
      expect((await overWebSocket.execute("SELECT 1 AS one")).rows[0]?.one).toBe(1)
      // Runs for longer than the whole request's 600 ms.
      const long = await client.execute(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) SELECT count(*) AS n FROM c",
      )
      expect(long.rows[0]?.n).toBe(1_500_000)
      // The client's kept-alive connection idles past both limits, then serves the next request.
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      expect((await client.execute("SELECT 2 AS two")).rows[0]?.two).toBe(2)
      expect((await overWebSocket.execute("SELECT 2 AS two")).rows[0]?.two).toBe(2)
    } finally {
      overWebSocket.close()
      client.close()
    }
  })

  it("keeps Node's answer to a request that is not HTTP", async () => {
    const unlimited = await startLibsqlLocal({ port: 0, headersTimeoutMs: 0, bodyTimeoutMs: 0 })
    try {
      const socket = connect({ host: "127.0.0.1", port: unlimited.port })
      let received = ""
      socket.on("data", (data) => {
        received += data.toString()
      })
      const closed = new Promise((resolve) => socket.on("close", resolve))
      socket.write("NOT HTTP\r\n\r\n")
      await closed
      expect(received).toBe("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
    } finally {
      await unlimited.stop()
    }
  })
})
