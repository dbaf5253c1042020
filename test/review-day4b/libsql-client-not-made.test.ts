// A libSQL HTTP connection whose client cannot be made (a URL @libsql/client refuses: an unknown query
// parameter, `https:` with `?tls=0`) fails every statement with that refusal. 13dc929 kept the client's
// holder before making the client: when making it threw, the connection held no client, and its next
// statement called `execute` on undefined, a TypeError the driver translates as a ConnectionError,
// which the Hono handler answers 503 with Retry-After (retry a URL that is wrong every time).
import { describe, expect, inject, it } from "vitest"
import { ConnectionError, createEngine, OperationalError, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"

const endpoint = inject("libsql")

describe("a libSQL HTTP connection whose client cannot be made", () => {
  it("fails each statement with the client's refusal, not a ConnectionError", async () => {
    const engine = createEngine(`${endpoint.url}/s/rb4-not-made/?rb4_unknown=1`, {
      driver: libsql({ authToken: endpoint.authToken }),
    })
    const connection = engine.connect()
    try {
      for (const attempt of [1, 2, 3]) {
        const error = await connection.execute(text("SELECT 1")).then(
          () => undefined,
          (reason: unknown) => reason,
        )
        expect(error, `attempt ${attempt}`).toBeInstanceOf(OperationalError)
        expect(error, `attempt ${attempt}`).not.toBeInstanceOf(ConnectionError)
        expect(String(error), `attempt ${attempt}`).toMatch(/rb4_unknown/)
      }
    } finally {
      await connection.close()
    }
    // So does the next connection, which may take what the first one closed with.
    const next = engine.connect()
    try {
      await expect(next.execute(text("SELECT 1"))).rejects.toThrow(/rb4_unknown/)
      await expect(next.execute(text("SELECT 1"))).rejects.toThrow(/rb4_unknown/)
    } finally {
      await next.close()
    }
  })
})
