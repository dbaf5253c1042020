// The blog worker itself (worker/, bundled as wrangler does, in workerd through Miniflare) over libSQL
// HTTP, written when the driver passed each request's closed client on to the next request's connection
// (13dc929; edgealchemy/libsql now holds no client, and the same must hold):
// GET /health one request after another and many at once in one isolate all answer 200, and each
// request's Server-Timing reports its own one round trip and one statement (a client's fetch counted
// by another request's connection would show 0 or 2). No tables: /health runs SELECT 1.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { type ServedWorker, serveWorker } from "../front/serve-worker.ts"

const endpoint = inject("libsql")
let worker: ServedWorker

beforeAll(async () => {
  worker = await serveWorker({
    DATABASE_URL: `${endpoint.url}/s/rb4-blog-reuse/`,
    DATABASE_AUTH_TOKEN: endpoint.authToken,
    AUTH_SECRET: "rb4-blog-reuse-secret",
  })
}, 60_000)

afterAll(async () => {
  await worker?.stop()
})

async function health(): Promise<string | undefined> {
  const response = await fetch(new URL("/health", worker.url))
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ ok: true, database: "sqlite" })
  return /db;desc="(\d+ round trips?, \d+ statements?)"/.exec(
    response.headers.get("server-timing") ?? "",
  )?.[1]
}

describe("the blog worker on libSQL HTTP, its clients passed from request to request", () => {
  it("answers requests one after another, each with its own one round trip", async () => {
    for (let i = 0; i < 6; i++) expect(await health()).toBe("1 round trips, 1 statements")
  })

  it("answers requests at once, and after them, each with its own one round trip", async () => {
    for (const round of [1, 2, 3]) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => health()))
      expect(answers, `round ${round}`).toEqual(Array(10).fill("1 round trips, 1 statements"))
    }
    for (let i = 0; i < 3; i++) expect(await health()).toBe("1 round trips, 1 statements")
  })
})
