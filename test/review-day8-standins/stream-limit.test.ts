// sqld bounds its connections (libsql-server connection/mod.rs, MakeThrottledConnection): at most
// SQLD_MAX_CONCURRENT_CONNECTIONS (128) are open, each held by an open stream; a new stream waits 1 s
// (DB_CREATE_TIMEOUT) for one to come free and is then refused with HTTP 429 {"error": "Timed out while
// opening database connection"}, and past 128 waiting requests at once with {"error": "Too many
// concurrent requests"}. libsql-local had no limit: each stream is a thread of its own (about 9 MB), so
// a client that opened streams and never closed them took a thread and its memory for each until they
// expired (300 of them: 51 s and 1.3 GB). maxConcurrentConnections sets the limit, small here.
import { createClient } from "@libsql/client/web"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

const LIMIT = 3
const EXPIRY_MS = 1_500
/** Streams expire after sqld's 10 s here, far from the 1 s a refused stream waits; `expiring` is the
 *  server whose streams expire soon. */
let local: LibsqlLocal
let expiring: LibsqlLocal
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0, maxConcurrentConnections: LIMIT })
  expiring = await startLibsqlLocal({ port: 0, maxConcurrentConnections: LIMIT, streamExpiryMs: EXPIRY_MS })
})
afterAll(async () => {
  await local.stop()
  await expiring.stop()
})

interface Answer {
  status: number
  body: { baton?: string | null; error?: string; message?: string; code?: string }
}

async function pipeline(baton: string | null, requests: unknown[], server = local): Promise<Answer> {
  const response = await fetch(`${server.url}/v3/pipeline`, {
    method: "POST",
    body: JSON.stringify({ baton, requests }),
  })
  return { status: response.status, body: (await response.json()) as Answer["body"] }
}

const select1 = { type: "execute", stmt: { sql: "SELECT 1" } }

async function openStreams(n: number, server = local): Promise<string[]> {
  const batons: string[] = []
  for (let i = 0; i < n; i++) {
    const answer = await pipeline(null, [select1], server)
    expect(answer.status).toBe(200)
    batons.push(answer.body.baton as string)
  }
  return batons
}

async function openCount(server = local): Promise<number> {
  return ((await (await fetch(`${server.url}/__streams`)).json()) as { open: number }).open
}

const closeAll = (batons: string[], server = local) =>
  Promise.all(batons.map((baton) => pipeline(baton, [{ type: "close" }], server)))

describe("libsql-local bounds open streams as sqld bounds its connections", () => {
  it("refuses a stream past the limit with sqld's 429 after waiting for one to end", async () => {
    const batons = await openStreams(LIMIT)
    expect(await pipeline(null, [select1])).toEqual({
      status: 429,
      body: { error: "Timed out while opening database connection" },
    })
    expect(await openCount()).toBe(LIMIT)
    // The streams that were open go on.
    const again = await pipeline(batons[0] as string, [select1])
    expect(again.status).toBe(200)
    batons[0] = again.body.baton as string
    await closeAll(batons)
    expect(await openCount()).toBe(0)
  })

  it("gives a waiting stream the connection of one that closes", async () => {
    const batons = await openStreams(LIMIT)
    const waiting = pipeline(null, [select1, { type: "close" }])
    await new Promise((resolve) => setTimeout(resolve, 100))
    await pipeline(batons.shift() as string, [{ type: "close" }])
    expect((await waiting).status).toBe(200)
    await closeAll(batons)
  })

  it("frees the connection of a stream that expires; its baton then answers STREAM_EXPIRED", async () => {
    const [leaked] = await openStreams(LIMIT, expiring)
    await new Promise((resolve) => setTimeout(resolve, EXPIRY_MS + 300))
    expect(await openCount(expiring)).toBe(0)
    expect(await pipeline(leaked as string, [select1], expiring)).toEqual({
      status: 500,
      body: { message: "The stream has expired due to inactivity", code: "STREAM_EXPIRED" },
    })
    const fresh = await openStreams(LIMIT, expiring)
    await closeAll(fresh, expiring)
  })

  it("refuses at once past 128 waiting requests, as sqld", { timeout: 60_000 }, async () => {
    // A server whose waits outlast the time 130 requests take to arrive on a loaded machine (over 30 s
    // once, under the full suite beside other sessions).
    const patient = await startLibsqlLocal({
      port: 0,
      maxConcurrentConnections: LIMIT,
      connectionWaitMs: 120_000,
    })
    try {
      const batons = await openStreams(LIMIT, patient)
      const answers: Answer[] = []
      const all = Array.from({ length: 130 }, () =>
        pipeline(null, [select1, { type: "close" }], patient).then((answer) => {
          answers.push(answer)
          return answer
        }),
      )
      while (answers.length < 2) await new Promise((r) => setTimeout(r, 10))
      expect(answers).toEqual([
        { status: 429, body: { error: "Too many concurrent requests" } },
        { status: 429, body: { error: "Too many concurrent requests" } },
      ])
      // The 128 that wait run once the streams that held the connections close.
      await closeAll(batons, patient)
      const statuses = (await Promise.all(all)).map((answer) => answer.status)
      expect(statuses.filter((status) => status === 200)).toHaveLength(128)
    } finally {
      await patient.stop()
    }
  })

  it("the official client reports the refusal; its work is not run", async () => {
    const batons = await openStreams(LIMIT)
    const client = createClient({ url: local.url })
    await expect(client.execute("CREATE TABLE r8_never (a)")).rejects.toThrow(/429/)
    await closeAll(batons)
    await expect(client.execute("SELECT * FROM r8_never")).rejects.toThrow(/no such table/)
    client.close()
  })
})
