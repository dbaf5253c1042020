// neon-local read a request's body with no time limit: a client that sent its headers and then stalled
// (or trickled its body a byte at a time, slowloris) held its connection and buffered body for good,
// left unanswered (Node's own requestTimeout would cut it after 300 s, with no answer a client can
// read). The body now has to arrive whole within `bodyTimeoutMs` (default 30 s); past it the client gets
// a 408 with Neon's error shape saying so, and its connection is closed. No PostgreSQL connection is
// taken before the body is in: with one connection for SQL over HTTP, others are served meanwhile.
import { neon, neonConfig } from "@neondatabase/serverless"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"
import { parseAnswer, stalledRequest } from "./stalled-request.ts"

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let local: NeonLocal
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  local = await startNeonLocal({ upstream: database.url, port: 0, maxConnections: 1, bodyTimeoutMs: 400 })
})
afterAll(async () => {
  await local?.stop()
  await database?.drop()
})

const sql = (scope: string) => {
  neonConfig.fetchEndpoint = local.fetchEndpoint(scope)
  return neon(database.url)
}

const expected408 = {
  message:
    "could not read the HTTP request body: it did not arrive whole within 400 ms (neon-local's limit); send the whole body with the request",
  code: "",
  severity: "",
}

describe("neon-local bounds the time a request's body takes to arrive", () => {
  for (const [shape, trickleEveryMs] of [
    ["stalls after its headers and part of its body", undefined],
    ["trickles its body a byte at a time", 50],
  ] as const) {
    it(`answers 408 and closes the connection of a client that ${shape}`, async () => {
      const scope = `stall-${trickleEveryMs ?? "none"}`
      const stalled = stalledRequest(local.port, `/s/${scope}/sql`, {
        headers: { "neon-connection-string": database.url },
        start: '{"query": "SELECT',
        length: 10_000,
        ...(trickleEveryMs === undefined ? {} : { trickleEveryMs }),
      })
      try {
        // Meanwhile the only PostgreSQL connection serves another client.
        expect(await sql(`${scope}-other`).query("SELECT 1 AS one")).toEqual([{ one: 1 }])
        const { status, headers, body } = parseAnswer(await stalled.answer)
        expect(status).toBe("HTTP/1.1 408 Request Timeout")
        expect(headers).toContain("connection: close")
        expect(JSON.parse(body)).toMatchObject(expected408)
        expect(local.stats(scope)).toMatchObject({ httpRequests: 1, statements: 0 })
      } finally {
        stalled.close()
      }
    })
  }

  it("sets no limit with 0", async () => {
    const unlimited = await startNeonLocal({ upstream: database.url, port: 0, bodyTimeoutMs: 0 })
    try {
      neonConfig.fetchEndpoint = unlimited.fetchEndpoint()
      // A body of many chunks, read over many turns of the event loop.
      const query = neon(database.url).query("SELECT length($1)::int AS n", ["x".repeat(4_000_000)])
      expect(await query).toEqual([{ n: 4_000_000 }])
    } finally {
      await unlimited.stop()
    }
  })

  it("still reads a whole body sent in pieces within the limit", async () => {
    const db = sql("pieces")
    expect(await db.query("SELECT $1::text AS x", ["a".repeat(100_000)])).toEqual([
      { x: "a".repeat(100_000) },
    ])
  })
})
