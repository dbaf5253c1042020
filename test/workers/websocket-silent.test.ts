// Neon's WebSocket inside workerd, to a proxy that accepts the socket and never answers (a database gone
// silent behind it): requestTimeoutMs ends the round trip, and close() ends one without a limit; either
// way the socket is let go (the server sees it closed), and a write that never got past the connect is a
// plain ConnectionError: nothing was sent. (Node: test/reliability/request-timeout.test.ts.)
import { expect, inject, it } from "vitest"
import { ConnectionError, createEngine, text, UnknownOutcomeError } from "../../src/index.ts"
import { neon } from "../../src/neon.ts"

const silent = inject("silent").url

/** WebSockets and requests the silent server still holds, once it has seen its clients let go (up to 3 s). */
async function heldAfterLettingGo(): Promise<number> {
  const deadline = Date.now() + 3_000
  for (;;) {
    const { held } = (await (await fetch(`${silent}/__open`)).json()) as { held: number }
    if (held === 0 || Date.now() > deadline) return held
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const engineOf = (requestTimeoutMs?: number) =>
  createEngine("postgresql://user:password@db.example/blog", {
    driver: neon({
      wsProxy: () => `${silent.replace(/^http:\/\//, "")}/v2`,
      useSecureWebSocket: false,
      pipelineConnect: false,
      mode: "websocket",
      closeTimeoutMs: 200,
      ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
    }),
  })

it("requestTimeoutMs: a write whose connect gets no answer fails as nothing sent, and the socket is let go", async () => {
  const connection = engineOf(300).connect()
  try {
    const failure = await connection
      .execute(text("INSERT INTO t VALUES (1)"))
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ConnectionError)
    expect(failure).not.toBeInstanceOf(UnknownOutcomeError)
    expect((failure as Error).message).toContain("requestTimeoutMs (300 ms)")
    // Let go by the timeout itself, before close().
    expect(await heldAfterLettingGo()).toBe(0)
  } finally {
    await connection.close()
  }
})

it("without a limit, close() ends the wait: a ConnectionError, and the socket is let go", async () => {
  const connection = engineOf().connect()
  const failure = connection.execute(text("INSERT INTO t VALUES (1)")).catch((error: unknown) => error)
  // The socket is open at the server before close() comes.
  for (let waited = 0; waited < 3_000; waited += 20) {
    const { held } = (await (await fetch(`${silent}/__open`)).json()) as { held: number }
    if (held > 0) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await connection.close()
  expect(await failure).toBeInstanceOf(ConnectionError)
  expect(await failure).not.toBeInstanceOf(UnknownOutcomeError)
  expect(await heldAfterLettingGo()).toBe(0)
})
