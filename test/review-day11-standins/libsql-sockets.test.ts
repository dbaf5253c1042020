// libsql-local took any number of client sockets and kept every one open for as long as its client
// liked (keepAliveTimeout: 0; a new, silent one until its headers timed out): a client that opened
// thousands and left them idle held them all. Now at most `maxSockets` (default 1,000) are open at
// once, HTTP and WebSocket alike: one past them is answered HTTP 503 with the reason as it connects, and
// closed. An HTTP connection with no request on it for `keepAliveTimeoutMs` (default 60 s; kept alive
// after an answer, or new and silent) is closed; a request in progress, and a WebSocket, are not.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { closedOrStillOpen, rawClient, until } from "./raw-client.ts"

const HEALTH = "GET /health HTTP/1.1\r\nhost: local\r\n\r\n"

describe("libsql-local's limit on open sockets (maxSockets)", () => {
  let local: LibsqlLocal
  beforeAll(async () => {
    local = await startLibsqlLocal({ port: 0, maxSockets: 3 })
  })
  afterAll(async () => {
    await local?.stop()
  })

  it("answers a socket past the limit 503 with the reason, and serves again once one closes", async () => {
    // Three sockets kept alive, each answered once: the server holds all three.
    const kept = await Promise.all([1, 2, 3].map(() => rawClient(local.port)))
    for (const client of kept) client.socket.write(HEALTH)
    await until(() => kept.every((client) => client.received().startsWith("HTTP/1.1 200")))

    const refused = await fetch(`${local.url}/health`)
    expect(refused.status).toBe(503)
    expect(await refused.text()).toBe(
      "libsql-local already has 3 client connections open (its limit, maxSockets, --max-sockets, is 3): close idle clients, or raise the limit",
    )
    const raw = await rawClient(local.port)
    raw.socket.write(HEALTH)
    await raw.closed
    expect(raw.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/)
    // A WebSocket past the limit is refused alike.
    const ws = new WebSocket(local.url.replace("http://", "ws://"), ["hrana2"])
    const wsStatus = await new Promise<number>((resolve) => {
      ws.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0))
      ws.once("open", () => resolve(101))
      ws.once("error", () => undefined)
    })
    expect(wsStatus).toBe(503)
    ws.terminate()

    // The kept ones still work; once one closes, a new socket is served.
    kept[0]?.socket.write(HEALTH)
    await until(() => (kept[0]?.received().match(/HTTP\/1\.1 200/g) ?? []).length === 2)
    kept[1]?.socket.end()
    await kept[1]?.closed
    let status = 0
    while (status !== 200) {
      const answer = await fetch(`${local.url}/health`)
      status = answer.status
      await answer.arrayBuffer()
    }
    for (const client of kept) client.socket.destroy()
  })
})

describe("libsql-local's idle limit on HTTP connections (keepAliveTimeoutMs)", () => {
  let local: LibsqlLocal
  beforeAll(async () => {
    // No headers limit: only the idle limit closes a silent socket.
    local = await startLibsqlLocal({ port: 0, keepAliveTimeoutMs: 200, headersTimeoutMs: 0 })
  })
  afterAll(async () => {
    await local?.stop()
  })

  it("closes a kept-alive connection idle past it, and a new one that sends nothing", async () => {
    const kept = await rawClient(local.port)
    kept.socket.write(HEALTH)
    await until(() => kept.received().startsWith("HTTP/1.1 200"))
    // Not advertised: clients keep to their own, shorter limits.
    expect(kept.received().toLowerCase()).not.toContain("keep-alive: timeout")
    const silent = await rawClient(local.port)
    expect(await closedOrStillOpen(kept.closed)).toBe("closed")
    expect(await closedOrStillOpen(silent.closed)).toBe("closed")
    expect(silent.received()).toBe("")
  })

  it("does not cut a request in progress, nor a WebSocket left idle", async () => {
    const ws = new WebSocket(local.url.replace("http://", "ws://"), ["hrana2"])
    const answers: Record<string, unknown>[] = []
    ws.on("message", (data) => answers.push(JSON.parse(data.toString()) as Record<string, unknown>))
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject))
    ws.send(JSON.stringify({ type: "hello" }))
    await until(() => answers.length === 1)

    // A statement that runs past the idle limit, on a kept-alive connection.
    const client = await rawClient(local.port)
    const body = JSON.stringify({
      requests: [
        {
          type: "execute",
          stmt: {
            sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT count(*) FROM c",
          },
        },
        { type: "close" },
      ],
    })
    client.socket.write(
      `POST /v2/pipeline HTTP/1.1\r\nhost: local\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
    await until(() => client.received().includes('"1000000"') || client.isClosed())
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/)

    // The WebSocket, idle all along (and a while more), still answers.
    await new Promise((resolve) => setTimeout(resolve, 600))
    ws.send(
      JSON.stringify({ type: "request", request_id: 1, request: { type: "open_stream", stream_id: 1 } }),
    )
    await until(() => answers.length === 2)
    expect(answers[1]).toEqual({ type: "response_ok", request_id: 1, response: { type: "open_stream" } })
    ws.close()
    client.socket.destroy()
  })
})
