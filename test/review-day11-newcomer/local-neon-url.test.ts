// A newcomer with PostgreSQL on their machine gives its URL to edgealchemy/neon, as they would give it to
// any PostgreSQL library. Neon's driver speaks Neon's SQL over HTTP, to `https://api.<host>/sql`, which
// nothing local answers, and the error said only 'Error connecting to database: TypeError: fetch failed'
// (or 'Failed to parse URL from https://api.0.0.1/sql'). A database URL on this machine, given without a
// fetchEndpoint, now adds how to reach it: the local Neon endpoint and its fetchEndpoint. The request never left, so a write so refused
// is still a ConnectionError (safe to retry), not an UnknownOutcomeError.
import { describe, expect, it } from "vitest"
import { ConnectionError, text, UnknownOutcomeError } from "../../src/index.ts"
import { createEngine } from "../../src/neon.ts"

const HINT =
  "a local PostgreSQL needs the local Neon endpoint: npx edgealchemy neon-local, then createEngine(url, { fetchEndpoint })"
// Port 9 (discard) is closed on these machines: a refused connection, at once.
const CLOSED = "http://127.0.0.1:9/sql"

describe("edgealchemy/neon given a PostgreSQL on this machine", () => {
  for (const url of [
    "postgresql://postgres@127.0.0.1:5432/postgres",
    "postgres://postgres:secret@localhost:5432/app",
    "postgresql://app@[::1]:5432/app",
  ]) {
    it(`says how to reach ${url.replace(/:secret@/, ":***@")}`, async () => {
      const failed = await createEngine(url)
        .execute(text("SELECT 1"))
        .catch((error: unknown) => error)
      expect(failed).toBeInstanceOf(ConnectionError)
      expect((failed as Error).message).toContain(HINT)
      expect((failed as Error).message).not.toContain("secret")
    })
  }

  it("refuses a write so before it is sent: safe to retry", async () => {
    const engine = createEngine("postgresql://postgres@127.0.0.1:5432/postgres")
    const failed = await engine.execute(text("INSERT INTO t VALUES (1)")).catch((error: unknown) => error)
    expect(failed).toBeInstanceOf(ConnectionError)
    expect(failed).not.toBeInstanceOf(UnknownOutcomeError)
    expect((failed as Error).message).toContain(HINT)
  })

  it("adds nothing once a fetchEndpoint is given: the error names where it went", async () => {
    const engine = createEngine("postgresql://postgres@127.0.0.1:5432/postgres", { fetchEndpoint: CLOSED })
    const failed = await engine.execute(text("SELECT 1")).catch((error: unknown) => error)
    expect(failed).toBeInstanceOf(ConnectionError)
    expect((failed as Error).message).not.toContain("neon-local")
  })

  it("adds nothing for a database elsewhere", async () => {
    const engine = createEngine("postgresql://user@ep-cool-name-123.eu-central-1.aws.neon.tech/app", {
      fetchEndpoint: CLOSED,
    })
    const failed = await engine.execute(text("SELECT 1")).catch((error: unknown) => error)
    expect(failed).toBeInstanceOf(ConnectionError)
    expect((failed as Error).message).not.toContain("neon-local")
  })
})
