// Issue 13, item 2: close() settles promptly whatever became of the socket under an open transaction:
// lost (dropped, cut after the database answered, closed by the server) or silent (the server
// vanished without a word). Before the fix, Neon's `client.end()` waited for an end that had already
// happened, and libSQL's rollback waited for an answer that never came: close() hung, and with it any
// request whose session closes before answering. Each close here races a deadline, so a hang fails.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AsyncSession, ConnectionError, type Engine, text, UnknownOutcomeError } from "../../src/index.ts"
import { createEngine as createEmbeddedEngine } from "../../src/libsql-node.ts"
import {
  type FaultRig,
  HANG_DEADLINE_MS,
  NOTHING_OPEN,
  SHORT_STREAM_EXPIRY_MS,
  startFaultRig,
  within,
} from "./fault-rig.ts"

let rig: FaultRig
beforeAll(async () => {
  // Its faults lose libSQL streams' batons: only their expiry ends them before settled().
  rig = await startFaultRig({ streamExpiryMs: SHORT_STREAM_EXPIRY_MS })
})
afterAll(() => rig?.stop())

/** A close that has to wait for a silent server gives up after CLOSE_TIMEOUT_MS; a hang never settles. */
const DEADLINE_MS = HANG_DEADLINE_MS

const LOSSES = ["drop", "cut", "fail"] as const
const PAST = { drop: "dropped", cut: "cut (run, its answer lost)", fail: "failed (socket closed, HTTP 503)" }
const INTERACTIVE = ["neon-http", "neon-websocket", "libsql-http"] as const

describe("close() settles after the socket is lost under an open transaction", () => {
  let n = 0
  for (const transport of INTERACTIVE) {
    for (const loss of LOSSES) {
      it(`${transport}: the statement after BEGIN is ${PAST[loss]}`, async () => {
        const scope = `close-${transport}-${loss}-${++n}`
        const proxy = rig.proxyOf(transport)
        const connection = rig.engine(transport, scope).connect()
        await connection.begin()
        await connection.execute(text("SELECT 1"))
        proxy.arm(loss, { scope })
        await expect(connection.execute(text("SELECT 2"))).rejects.toThrow()
        await within(DEADLINE_MS, "close()", connection.close())
        expect(await rig.settled()).toEqual(NOTHING_OPEN)
      })
    }

    it(`${transport}: the server goes silent while a transaction is open`, async () => {
      const scope = `close-${transport}-silent-${++n}`
      const proxy = rig.proxyOf(transport)
      const connection = rig.engine(transport, scope).connect()
      await connection.begin()
      await connection.execute(text("SELECT 1"))
      proxy.silence()
      try {
        await within(DEADLINE_MS, "close()", connection.close())
      } finally {
        proxy.releaseHung()
      }
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })

    it(`${transport}: close() while a statement waits on a silent server`, async () => {
      const scope = `close-${transport}-inflight-${++n}`
      const proxy = rig.proxyOf(transport)
      const connection = rig.engine(transport, scope).connect()
      await connection.begin()
      await connection.execute(text("SELECT 1"))
      proxy.arm("hang", { scope })
      const waiting = connection.execute(text("SELECT 2"))
      // Its failure is expected once close() abandons the socket; it must not go unhandled.
      const failed = waiting.then(
        () => false,
        () => true,
      )
      await new Promise((resolve) => setTimeout(resolve, 20))
      try {
        await within(DEADLINE_MS, "close()", connection.close())
        expect(await within(DEADLINE_MS, "the waiting statement", failed)).toBe(true)
      } finally {
        proxy.releaseHung()
      }
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }
})

describe("close() settles while an HTTP request waits on a silent server", () => {
  for (const transport of ["neon-http", "libsql-http"] as const) {
    it(`${transport}: the request is abandoned with a ConnectionError; a write's outcome is unknown`, async () => {
      const scope = `close-${transport}-http-inflight`
      const proxy = rig.proxyOf(transport)
      const engine = rig.engine(transport, scope)
      const outcomes: unknown[] = []
      for (const sql of ["SELECT 1", "CREATE TABLE close_silent (x integer)"]) {
        const connection = engine.connect()
        proxy.arm("hang", { scope })
        const waiting = connection.execute(text(sql)).catch((error: unknown) => error)
        await new Promise((resolve) => setTimeout(resolve, 20))
        await within(DEADLINE_MS, "close()", connection.close())
        outcomes.push(await within(DEADLINE_MS, "the waiting statement", waiting))
        proxy.releaseHung()
      }
      expect(outcomes.map((error) => (error as Error).constructor)).toEqual([
        ConnectionError,
        UnknownOutcomeError,
      ])
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }
})

// `return session.scalar(...)` inside `await using session`: the scope closes the session before the
// query it returns has answered. A statement already sent gets the close timeout to end, on every
// transport (libSQL's close cut it: "Client was closed", an OperationalError, or CLIENT_CLOSED).
describe("close() lets a statement already sent end within the close timeout", () => {
  async function answerAfterScope(engine: Engine): Promise<number> {
    await using session = new AsyncSession(engine)
    return session.scalar(text("SELECT 41 + 1")).then(Number)
  }

  // Neon's WebSocket mode lets it end too, then cancels what still runs at the close timeout (a
  // statement waiting on a lock would not see the socket end): test/limits-fixed/close-lets-finish.test.ts.
  for (const transport of ["neon-http", "libsql-http"] as const) {
    it(`${transport}: a query returned unawaited from an await using scope answers`, async () => {
      const engine = rig.engine(transport, `close-answer-${transport}`)
      expect(await within(DEADLINE_MS, "the query", answerAfterScope(engine))).toBe(42)
      const connection = engine.connect()
      const batch = connection.batch([text("SELECT 1"), text("SELECT 2")])
      await within(DEADLINE_MS, "close()", connection.close())
      expect((await batch).map((result) => Number(result.scalar()))).toEqual([1, 2])
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }

  it("libsql embedded: the same, on a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ea-close-answer-"))
    try {
      const engine = createEmbeddedEngine(`file:${join(dir, "close.db")}`)
      expect(await answerAfterScope(engine)).toBe(42)
      const connection = engine.connect()
      const batch = connection.batch([text("SELECT 1"), text("SELECT 2")])
      await connection.close()
      expect((await batch).map((result) => Number(result.scalar()))).toEqual([1, 2])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
