// `requestTimeoutMs` inside workerd, where Workers run it: a request to a server that never answers
// fails with a ConnectionError after the limit, and its fetch is aborted (the server sees the
// connection closed), on both drivers' HTTP transports.
import { describe, expect, inject, it } from "vitest"
import { ConnectionError, createEngine, type Engine, text, UnknownOutcomeError } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"

const TIMEOUT_MS = 200
const silent = inject("silent").url

/** Requests the silent server still holds, once it has seen its clients let go (up to 3 s). */
async function heldAfterLettingGo(): Promise<number> {
  const deadline = Date.now() + 3_000
  for (;;) {
    const { held } = (await (await fetch(`${silent}/__open`)).json()) as { held: number }
    if (held === 0 || Date.now() > deadline) return held
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const engines: [string, () => Engine][] = [
  [
    "libSQL over HTTP",
    () => createEngine(`${silent}/`, { driver: libsql({ requestTimeoutMs: TIMEOUT_MS }) }),
  ],
  [
    "Neon over HTTP",
    () =>
      createEngine("postgresql://user:password@db.example/blog", {
        driver: neon({ fetchEndpoint: `${silent}/sql`, requestTimeoutMs: TIMEOUT_MS }),
      }),
  ],
]

describe("requestTimeoutMs in workerd", () => {
  for (const [name, engine] of engines) {
    it(`${name}: a read from a silent server fails, and its request is aborted`, async () => {
      const connection = engine().connect()
      try {
        const failure = await connection.execute(text("SELECT 1")).catch((error: unknown) => error)
        expect(failure).toBeInstanceOf(ConnectionError)
        expect(failure).not.toBeInstanceOf(UnknownOutcomeError)
        expect((failure as Error).message).toContain(`requestTimeoutMs (${TIMEOUT_MS} ms)`)
        // Let go by the timeout itself, before close() would abandon it.
        expect(await heldAfterLettingGo()).toBe(0)
      } finally {
        await connection.close()
      }
    })

    it(`${name}: a write to a silent server has an unknown outcome`, async () => {
      const connection = engine().connect()
      try {
        const failure = await connection.execute(text("DELETE FROM posts")).catch((error: unknown) => error)
        expect(failure).toBeInstanceOf(UnknownOutcomeError)
        expect(await heldAfterLettingGo()).toBe(0)
      } finally {
        await connection.close()
      }
    })
  }
})
