// What an edgealchemy user sees when neon-local's HTTP query limit (httpQueryTimeoutMs, Neon's
// --sql-over-http-timeout) cancels a statement: Neon's 504 as a ConnectionError, and for a write an
// UnknownOutcomeError (the client cannot know whether it committed before the cancel).
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ConnectionError, createEngine, text, UnknownOutcomeError } from "../../src/index.ts"
import { neon } from "../../src/neon.ts"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let local: NeonLocal
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  local = await startNeonLocal({ upstream: database.url, port: 0, httpQueryTimeoutMs: 1_000 })
})
afterAll(async () => {
  await local?.stop()
  await database?.drop()
})

const engine = () =>
  createEngine(database.url, { driver: neon({ fetchEndpoint: local.fetchEndpoint(), mode: "http" }) })

describe("neon-local's HTTP query limit, as edgealchemy reports it", () => {
  it("is a ConnectionError for a read, carrying Neon's words", async () => {
    await using connection = engine().connect()
    const failure = await connection.execute(text("SELECT pg_sleep(30)")).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ConnectionError)
    expect((failure as Error).message).toContain(
      "HTTP-Connection timed out, execution time exeeded 1 seconds",
    )
  })

  it("is an UnknownOutcomeError for a write", async () => {
    await using connection = engine().connect()
    await connection.execute(text("CREATE TABLE r9_slow_write (a int)"))
    const failure = await connection
      .execute(text("INSERT INTO r9_slow_write SELECT 1 FROM pg_sleep(30)"))
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(UnknownOutcomeError)
  })
})
