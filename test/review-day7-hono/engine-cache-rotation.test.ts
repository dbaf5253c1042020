// The README's Hono app cached its engines by DATABASE_URL alone: once a request had come with one
// DATABASE_AUTH_TOKEN, a request whose env carried the rotated token still got the engine made with
// the old one (engineCache returns the engine of a key it has seen), and failed to authenticate until
// the isolate restarted. The example now keys by the URL and the token, as worker/env.ts does.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import honoApp from "../../examples/src/hono-app.ts"
import { metadata } from "../../examples/src/models.ts"
import { createAll, createEngine } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

describe("the README's Hono app and a rotated auth token", () => {
  let local: LibsqlLocal
  beforeAll(async () => {
    local = await startLibsqlLocal({ authToken: "rotated-token" })
    await using conn = createEngine(local.url, { driver: libsql({ authToken: "rotated-token" }) }).connect()
    await createAll(metadata, conn)
  })
  afterAll(() => local?.stop())

  it("a request with the new token gets an engine made with it", async () => {
    const quiet = console.error
    console.error = () => undefined
    try {
      const old = await honoApp.request(
        "/users/999",
        {},
        { DATABASE_URL: local.url, DATABASE_AUTH_TOKEN: "old-token" },
      )
      expect(old.status).toBeGreaterThanOrEqual(500)
    } finally {
      console.error = quiet
    }
    const rotated = await honoApp.request(
      "/users/999",
      {},
      { DATABASE_URL: local.url, DATABASE_AUTH_TOKEN: "rotated-token" },
    )
    expect(rotated.status).toBe(404)
  })
})
