// A connection string the Neon driver cannot parse (no host, a port out of range, a space in the host)
// failed with the driver's "Database connection string provided to neon() is not a valid URL
// (connection string: postgresql://user:s3cret@...)": the password in the error's message and in its
// cause's, which logs print. Both are masked now, as echo masks URLs; nothing is sent.
import { describe, expect, it } from "vitest"
import { DatabaseError, text } from "../../src/index.ts"
import { createEngine } from "../../src/neon.ts"

describe("Neon: a connection string the driver cannot parse", () => {
  it("fails without the password in the error or its cause, and sends nothing", async () => {
    for (const url of [
      "postgresql://user:s3cret@/db",
      "postgres://user:s3cret@host:99999/db",
      "postgresql://user:s3cret@h st/db",
    ]) {
      let requests = 0
      const engine = createEngine(url, {
        fetchEndpoint: () => {
          requests++
          return "http://127.0.0.1:9/sql"
        },
      })
      const error = (await engine.execute(text("SELECT 1")).catch((caught: unknown) => caught)) as Error
      expect(error).toBeInstanceOf(DatabaseError)
      expect(error.message).toMatch(/not a valid URL \(connection string: postgres(ql)?:\/\/user:\*\*\*@/)
      expect(String((error.cause as Error).message)).not.toContain("s3cret")
      expect(`${error.message} ${(error.cause as Error).message}`).not.toContain("s3cret")
      expect(requests).toBe(0)
    }
  })
})
