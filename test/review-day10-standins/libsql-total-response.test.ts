// A pipeline of a few hundred `SELECT zeroblob(9000000)` (a request of a few kilobytes) made
// libsql-local hold every result until its answer was built: gigabytes, and the process died of an
// exhausted heap ("JavaScript heap out of memory"). Each statement's rows were bounded (10 MB), their
// total was not. libsql-local now holds at most `maxTotalResponseBytes` of answers at once, across
// requests (default 256 MiB; sqld bounds what it builds at once, 32 MB): a statement whose rows would
// pass what is left fails with RESPONSE_TOO_LARGE, saying so, and the room comes back once the answer
// that held it is built.
import { createClient } from "@libsql/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

let local: LibsqlLocal
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0, maxTotalResponseBytes: 3_000_000 })
})
afterAll(async () => {
  await local?.stop()
})

const blob = { type: "execute", stmt: { sql: "SELECT zeroblob(900000) AS b", want_rows: true } }

async function pipeline(requests: unknown[]) {
  const response = await fetch(`${local.url}/v2/pipeline`, {
    method: "POST",
    body: JSON.stringify({ requests: [...requests, { type: "close" }] }),
  })
  expect(response.status).toBe(200)
  const { results } = (await response.json()) as {
    results: { type: string; error?: { message: string; code: string } }[]
  }
  return results.slice(0, -1)
}

describe("libsql-local bounds the answers it holds at once", () => {
  it("fails the statements of a pipeline past the limit with RESPONSE_TOO_LARGE, saying why", async () => {
    const results = await pipeline(Array.from({ length: 6 }, () => blob))
    expect(results.map((result) => result.type)).toEqual(["ok", "ok", "ok", "error", "error", "error"])
    expect(results[3]?.error?.code).toBe("RESPONSE_TOO_LARGE")
    expect(results[3]?.error?.message).toMatch(
      /^Response is too large: libsql-local already holds \d+ bytes of answers not yet sent \(its limit, maxTotalResponseBytes, is 3000000\)$/,
    )
    // The room came back with the answer: the next request reads as much again.
    expect((await pipeline([blob, blob, blob])).map((result) => result.type)).toEqual(["ok", "ok", "ok"])
  })

  it("gives the room back after each request over WebSocket and HTTP alike", async () => {
    for (const url of [local.url, local.url.replace("http://", "ws://")]) {
      const client = createClient({ url })
      try {
        for (let i = 0; i < 5; i++) {
          const { rows } = await client.execute("SELECT length(zeroblob(900000)) AS n, zeroblob(900000) AS b")
          expect(rows[0]?.n).toBe(900_000)
        }
      } finally {
        client.close()
      }
    }
  })
})
