// One libSQL engine across a Worker's requests, inside workerd: a Worker keeps its engine across the
// requests an isolate serves (as the blog worker does), so the engine's driver, made while serving one
// request, sends while serving another. Workers refuse to use one request's I/O objects in another
// ("Cannot perform I/O on behalf of a different request"); the driver holds none (each request's
// fetches go out through that request's connection). Written when the driver passed @libsql/client's
// clients from one connection to the next (13dc929); edgealchemy/libsql now speaks Hrana itself and
// holds no client, and the same holds: one isolate (Miniflare, workerd) serves requests one after
// another and at once over libsql-local, every one succeeds, and each child engine hears exactly its own
// round trips.
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
  error?: string
}

async function ask(query: string): Promise<Answer> {
  const response = await fetch(new URL(`/?${query}`, base))
  const answer = (await response.json()) as Answer
  expect(answer.error, answer.error).toBeUndefined()
  expect(response.status).toBe(200)
  return answer
}

describe("one libSQL engine across a Worker's requests (workerd)", () => {
  it("serves requests one after another, each hearing its own trip", async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      const answer = await ask(`n=${n}`)
      expect(answer.values).toEqual([n])
      expect(answer.trips).toEqual([`execute:SELECT ${n} AS n`])
    }
  })

  it("serves requests at once, each hearing only its own trips", async () => {
    // Three requests holding their connections across a pause: all three at once.
    for (const round of [1, 2, 3]) {
      const answers = await Promise.all([11, 12, 13].map((n) => ask(`n=${n}&hold=150`)))
      expect(
        answers.map((a) => a.values),
        `round ${round}`,
      ).toEqual([
        [11, 11],
        [12, 12],
        [13, 13],
      ])
      for (const [i, a] of answers.entries()) {
        expect(a.trips).toEqual([`execute:SELECT ${11 + i} AS n`, `execute:SELECT ${11 + i} AS n`])
      }
    }
  })

  it("serves a transaction, and the requests after it, at once and one after another", async () => {
    const tx = await ask("n=31&tx=1")
    expect(tx.values).toEqual([31])
    const after = await Promise.all([32, 33, 34].map((n) => ask(`n=${n}&hold=100`)))
    expect(after.map((a) => a.values)).toEqual([
      [32, 32],
      [33, 33],
      [34, 34],
    ])
    const sequential = await ask("n=35")
    expect([sequential.values, sequential.trips]).toEqual([[35], ["execute:SELECT 35 AS n"]])
  })
})
