// libSQL HTTP clients passed on from one connection to the next (13dc929), inside workerd: a Worker
// keeps its engine across the requests an isolate serves, so a client made while serving one request
// is used while serving another. Workers refuse to use one request's I/O objects in another ("Cannot
// perform I/O on behalf of a different request"); the client holds none of its own (each statement's
// fetch goes out through the connection holding it, in that connection's request). Here, one isolate
// (Miniflare, workerd) serves requests one after another and at once over libsql-local: every one
// succeeds, each child engine hears exactly its own round trips, and the clients made stay as few as
// the connections ever open at once.
import { resolve } from "node:path"
import { build } from "esbuild"
import { Miniflare } from "miniflare"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"

const endpoint = inject("libsql")
let miniflare: Miniflare
let base: URL

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [resolve(import.meta.dirname, "reuse-worker.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    write: false,
    logLevel: "warning",
  })
  miniflare = new Miniflare({
    modules: [{ type: "ESModule", path: "worker.js", contents: bundle.outputFiles[0]?.text ?? "" }],
    compatibilityDate: "2026-04-01",
    bindings: { URL: `${endpoint.url}/s/rb4-workerd-reuse/`, TOKEN: endpoint.authToken },
    host: "127.0.0.1",
    port: 0,
    cf: false,
  })
  base = await miniflare.ready
}, 60_000)

afterAll(async () => {
  await miniflare?.dispose()
})

interface Answer {
  values?: number[]
  trips?: string[]
  made: number
  error?: string
}

async function ask(query: string): Promise<Answer> {
  const response = await fetch(new URL(`/?${query}`, base))
  const answer = (await response.json()) as Answer
  expect(answer.error, answer.error).toBeUndefined()
  expect(response.status).toBe(200)
  return answer
}

describe("libSQL HTTP clients passed on across a Worker's requests (workerd)", () => {
  it("serves requests one after another with the first request's client, each hearing its own trip", async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      const answer = await ask(`n=${n}`)
      expect(answer.values).toEqual([n])
      expect(answer.trips).toEqual([`execute:SELECT ${n} AS n`])
      expect(answer.made).toBe(1)
    }
  })

  it("serves requests at once with a client each, made in earlier requests where one is idle", async () => {
    // Three requests holding their connections across a pause: all three at once. The first takes the
    // client of the test above; two more are made, and passed on in their turn.
    const atOnce = () => Promise.all([11, 12, 13].map((n) => ask(`n=${n}&hold=150`)))
    for (const round of [1, 2, 3]) {
      const answers = await atOnce()
      expect(answers.map((a) => a.values)).toEqual([
        [11, 11],
        [12, 12],
        [13, 13],
      ])
      for (const [i, a] of answers.entries()) {
        expect(a.trips).toEqual([`execute:SELECT ${11 + i} AS n`, `execute:SELECT ${11 + i} AS n`])
      }
      // At most one client per request open at once (three when they overlap, as they do unless the
      // machine is so loaded that one ends before the next begins), however many rounds: reused.
      expect(Math.max(...answers.map((a) => a.made)), `round ${round}`).toBeLessThanOrEqual(3)
    }
    // Then one after another again, on clients three different requests made.
    for (const n of [21, 22, 23, 24]) {
      const answer = await ask(`n=${n}`)
      expect([answer.values, answer.trips]).toEqual([[n], [`execute:SELECT ${n} AS n`]])
      expect(answer.made).toBeLessThanOrEqual(3)
    }
  })

  it("makes a new client after a transaction, and the requests after it still reuse", async () => {
    const before = (await ask("n=30")).made
    const tx = await ask("n=31&tx=1")
    expect(tx.values).toEqual([31])
    // The transaction's client is not passed on: the next request takes another idle one.
    const after = await Promise.all([32, 33, 34].map((n) => ask(`n=${n}&hold=100`)))
    expect(after.map((a) => a.values)).toEqual([
      [32, 32],
      [33, 33],
      [34, 34],
    ])
    const sequential = await ask("n=35")
    expect(sequential.values).toEqual([35])
    // At most one more client than before: the one the transaction's connection took away.
    expect(sequential.made).toBeLessThanOrEqual(before + 1)
  })
})
