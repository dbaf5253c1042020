// libsql-local gave a body 30 s to arrive, then dropped the connection without a word, and the limit
// could not be set. The body now has `bodyTimeoutMs` (default 30 s) to arrive whole, stalled or
// trickled; past it the client gets a 408 saying so and its connection is closed. No stream or
// connection is taken before the body is in: with one connection for all streams, others are served
// meanwhile.
import { createClient } from "@libsql/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { parseAnswer, stalledRequest } from "./stalled-request.ts"

let local: LibsqlLocal
beforeAll(async () => {
  local = await startLibsqlLocal({
    port: 0,
    authToken: "t9",
    maxConcurrentConnections: 1,
    bodyTimeoutMs: 400,
  })
})
afterAll(async () => {
  await local?.stop()
})

describe("libsql-local bounds the time a request's body takes to arrive", () => {
  for (const [shape, trickleEveryMs] of [
    ["stalls after its headers and part of its body", undefined],
    ["trickles its body a byte at a time", 50],
  ] as const) {
    it(`answers 408 and closes the connection of a client that ${shape}`, async () => {
      const scope = `stall-${trickleEveryMs ?? "none"}`
      const stalled = stalledRequest(local.port, `/s/${scope}/v2/pipeline`, {
        headers: { authorization: "Bearer t9", "content-type": "application/json" },
        start: '{"requests": [',
        length: 10_000,
        ...(trickleEveryMs === undefined ? {} : { trickleEveryMs }),
      })
      try {
        // Meanwhile the only connection serves another client.
        const client = createClient({ url: `${local.url}/s/${scope}-other/`, authToken: "t9" })
        // A body of many chunks, read over many turns of the event loop.
        const { rows } = await client.execute({ sql: "SELECT length(?) AS n", args: ["x".repeat(4_000_000)] })
        expect(rows[0]?.n).toBe(4_000_000)
        client.close()
        const { status, headers, body } = parseAnswer(await stalled.answer)
        expect(status).toBe("HTTP/1.1 408 Request Timeout")
        expect(headers).toContain("connection: close")
        expect(body).toBe(
          "Request body not received whole within 400 ms (libsql-local's limit): send the whole body with the request",
        )
        expect(local.stats(scope)).toMatchObject({ httpRequests: 1, statements: 0 })
      } finally {
        stalled.close()
      }
    })
  }

  it("sets no limit with 0", async () => {
    const unlimited = await startLibsqlLocal({ port: 0, bodyTimeoutMs: 0 })
    const client = createClient({ url: unlimited.url })
    try {
      // A body of many chunks, read over many turns of the event loop.
      const { rows } = await client.execute({ sql: "SELECT length(?) AS n", args: ["x".repeat(4_000_000)] })
      expect(rows[0]?.n).toBe(4_000_000)
    } finally {
      client.close()
      await unlimited.stop()
    }
  })

  it("still stops at once while a client stalls mid-body", async () => {
    const other = await startLibsqlLocal({ port: 0 })
    const stalled = stalledRequest(other.port, "/v2/pipeline", { start: '{"requests": [', length: 1000 })
    try {
      while (other.stats().httpRequests === 0) await new Promise((resolve) => setTimeout(resolve, 5))
      await other.stop()
      // Given up without an answer: the server is going away.
      expect(await stalled.answer).toBe("")
    } finally {
      stalled.close()
    }
  })
})
