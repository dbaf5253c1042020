// Which failures leave a commit's outcome unknown, inside workerd, whose fetch words its refusals in
// its own way (test/reliability/unknown-outcome.test.ts has the same in Node): a request fetch refuses
// to make was never sent, so it is a plain ConnectionError, never an UnknownOutcomeError.
import { describe, expect, it } from "vitest"
import { ConnectionError, createEngine, text, UnknownOutcomeError } from "../../src/index.ts"
import { neon } from "../../src/neon.ts"

describe("a request workerd's fetch refuses to make", () => {
  it("a URL that does not parse (Neon's default endpoint for an IP host) is a plain ConnectionError", async () => {
    // A newcomer's first Worker on a local PostgreSQL: the driver derives https://api.0.0.1/sql.
    const engine = createEngine("postgresql://postgres@127.0.0.1:5432/db", { driver: neon() })
    const error = await engine.execute(text("CREATE TABLE t (x integer)")).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).not.toBeInstanceOf(UnknownOutcomeError)
    expect((error as Error).message).toContain("Invalid URL")
  })
})
