// A TLS handshake that fails comes before anything is sent: https:// to a port that speaks plain HTTP
// (a fetchEndpoint or libSQL URL with the wrong scheme, a proxy without TLS) fails with OpenSSL's
// "wrong version number" (Node's ERR_SSL_WRONG_VERSION_NUMBER). mayHaveApplied took it for a lost
// answer, so a write that never left was an UnknownOutcomeError ("it may have been applied; check
// before retrying") where a plain ConnectionError is the truth: nothing ran, retrying is safe.
import { createServer, type Server } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ConnectionError, createEngine, text, UnknownOutcomeError } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"

let server: Server
let port = 0
let requests = 0
beforeAll(async () => {
  // Plain HTTP: a TLS ClientHello sent here is answered with HTTP's 400, which no TLS client reads.
  server = createServer((_request, response) => {
    requests++
    response.end("plain")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  port = (server.address() as { port: number }).port
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe("a failed TLS handshake", () => {
  it("is a plain ConnectionError for a write on Neon HTTP and libSQL HTTP: nothing was sent", async () => {
    const engines = [
      createEngine("postgresql://u:p@127.0.0.1/db", {
        driver: neon({ fetchEndpoint: `https://127.0.0.1:${port}/sql` }),
      }),
      createEngine(`https://127.0.0.1:${port}/`, { driver: libsql() }),
    ]
    for (const engine of engines) {
      const error = await engine.execute(text("INSERT INTO t VALUES (1)")).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConnectionError)
      expect(error).not.toBeInstanceOf(UnknownOutcomeError)
    }
    // The server never saw a request: the handshake failed first.
    expect(requests).toBe(0)
  })
})
