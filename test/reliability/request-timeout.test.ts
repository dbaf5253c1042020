// `requestTimeoutMs`: a round trip that gets no answer fails after that long instead of holding its
// request for as long as the network does. The fault proxy's `hang` is a server that went silent: the
// request never reaches the database and no answer ever comes. A read then fails with a
// ConnectionError, a commit with an UnknownOutcomeError (it may have been applied, as far as the client
// can know), a statement inside a transaction ends the transaction; what waited is abandoned, nothing is
// left open, and the same connection goes on.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { answeredWithin } from "../../src/drivers/request-timeout.ts"
import { ConnectionError, InvalidRequestError, text, UnknownOutcomeError } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import {
  FAULTED_TRANSPORTS,
  type FaultedTransport,
  type FaultRig,
  NOTHING_OPEN,
  startFaultRig,
  within,
} from "./fault-rig.ts"

let rig: FaultRig
beforeAll(async () => {
  // Streams outlive every test here, so nothing is left open only if the client closed it. With the
  // rig's 200 ms, a transaction left idle that long between two statements (a loaded machine) failed
  // with STREAM_EXPIRED.
  rig = await startFaultRig({ streamExpiryMs: 600_000 })
})
afterAll(() => rig?.stop())

// Long enough that a loaded machine (the suite runs files in parallel) answers a live request within it.
const TIMEOUT_MS = 1_000
/** Far beyond the timeout: a round trip still waiting then was not cut short. */
const DEADLINE_MS = 5_000

let n = 0
const kindOf = (error: unknown) =>
  error instanceof UnknownOutcomeError
    ? "unknown outcome"
    : error instanceof ConnectionError
      ? `connection: ${error.message}`
      : `unexpected: ${String(error)}`
const TIMED_OUT = `connection: No answer within requestTimeoutMs (${TIMEOUT_MS} ms); the request was abandoned`

/** A connection through the proxy with the timeout, already connected (the WebSocket too). */
async function warmConnection(transport: FaultedTransport, scope: string) {
  const connection = rig.engine(transport, scope, { requestTimeoutMs: TIMEOUT_MS }).connect()
  await connection.execute(text("SELECT 1"))
  return connection
}

describe("a round trip that gets no answer fails after requestTimeoutMs", () => {
  for (const transport of FAULTED_TRANSPORTS) {
    it(`${transport}: a read fails with a ConnectionError, and the connection goes on`, async () => {
      const scope = `timeout-read-${transport}-${++n}`
      const proxy = rig.proxyOf(transport)
      const connection = await warmConnection(transport, scope)
      try {
        proxy.arm("hang", { scope })
        const error = await within(
          DEADLINE_MS,
          "the read",
          connection.execute(text("SELECT 2")).catch((error: unknown) => error),
        )
        expect(kindOf(error)).toBe(TIMED_OUT)
        // The statement that timed out is named, as for any failure of a round trip.
        expect((error as ConnectionError).sql).toBe("SELECT 2")
        // HTTP sends the next request afresh; the WebSocket that was abandoned is opened again.
        expect(Number((await connection.execute(text("SELECT 3"))).scalar())).toBe(3)
      } finally {
        await connection.close()
        proxy.releaseHung()
      }
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })

    it(`${transport}: an autocommitted write is an UnknownOutcomeError`, async () => {
      const scope = `timeout-write-${transport}-${++n}`
      const table = `timeout_write_${n}`
      const proxy = rig.proxyOf(transport)
      await rig.inspect(transport).execute(text(`CREATE TABLE ${table} (x integer)`))
      const connection = await warmConnection(transport, scope)
      try {
        proxy.arm("hang", { scope })
        const insert = connection.execute(text(`INSERT INTO ${table} VALUES (1)`))
        expect(await within(DEADLINE_MS, "the write", insert.catch(kindOf))).toBe("unknown outcome")
      } finally {
        await connection.close()
        proxy.releaseHung()
      }
      // The client cannot know; here the request never reached the database.
      const stored = await rig.inspect(transport).execute(text(`SELECT count(*) FROM ${table}`))
      expect(Number(stored.scalar())).toBe(0)
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })

    // On libSQL the aborted request never reached the server, so the baton it carried is still the
    // stream's current one: the client closes the stream with it (and the transaction is rolled back)
    // without waiting for the stream to expire.
    it(`${transport}: a statement inside a transaction ends it, and nothing is left open`, async () => {
      const scope = `timeout-transaction-${transport}-${++n}`
      const proxy = rig.proxyOf(transport)
      const connection = await warmConnection(transport, scope)
      try {
        await connection.begin()
        await connection.execute(text("SELECT 1"))
        proxy.arm("hang", { scope })
        const failure = await within(
          DEADLINE_MS,
          "the statement",
          connection.execute(text("SELECT 2")).catch(kindOf),
        )
        expect(failure).toBe(TIMED_OUT)
        expect(connection.inTransaction).toBe(false)
        // A new transaction on the same connection works.
        await connection.begin()
        expect(Number((await connection.execute(text("SELECT 4"))).scalar())).toBe(4)
        await connection.commit()
      } finally {
        await connection.close()
        proxy.releaseHung()
      }
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })

    it(`${transport}: without the option, a round trip waits for its answer`, async () => {
      const scope = `timeout-none-${transport}-${++n}`
      const proxy = rig.proxyOf(transport)
      const connection = rig.engine(transport, scope).connect()
      await connection.execute(text("SELECT 1"))
      proxy.arm("hang", { scope })
      const waiting = connection.execute(text("SELECT 2")).then(
        () => "answered",
        () => "failed",
      )
      const early = await Promise.race([
        waiting,
        new Promise((resolve) => setTimeout(() => resolve("still waiting"), TIMEOUT_MS * 2)),
      ])
      try {
        expect(early).toBe("still waiting")
      } finally {
        await within(DEADLINE_MS, "close()", connection.close())
        proxy.releaseHung()
      }
      expect(await waiting).toBe("failed")
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }

  it("neon-websocket: a connect with no answer fails as nothing sent, even for a write", async () => {
    const scope = `timeout-connect-${++n}`
    const table = `timeout_connect_${n}`
    const proxy = rig.proxyOf("neon-websocket")
    await rig.inspect("neon-websocket").execute(text(`CREATE TABLE ${table} (x integer)`))
    const connection = rig.engine("neon-websocket", scope, { requestTimeoutMs: TIMEOUT_MS }).connect()
    try {
      // The startup message: the socket never gets an answer, so the INSERT is never sent.
      proxy.arm("hang", { scope })
      const insert = connection.execute(text(`INSERT INTO ${table} VALUES (1)`))
      expect(await within(DEADLINE_MS, "the write", insert.catch(kindOf))).toBe(TIMED_OUT)
      await connection.execute(text(`INSERT INTO ${table} VALUES (2)`))
    } finally {
      await connection.close()
      proxy.releaseHung()
    }
    const stored = await rig.inspect("neon-websocket").execute(text(`SELECT x FROM ${table}`))
    expect(stored.all().map(([x]) => Number(x))).toEqual([2])
    expect(await rig.settled()).toEqual(NOTHING_OPEN)
  })

  it("neon-http: an answer that takes less than the limit is not cut short", async () => {
    const connection = rig.engine("neon-http", `timeout-slow-${++n}`, { requestTimeoutMs: 2_000 }).connect()
    try {
      const slow = await connection.execute(text("SELECT 1 AS answered FROM pg_sleep(0.4)"))
      expect(slow.scalar()).toBe(1)
    } finally {
      await connection.close()
    }
  })
})

describe("answeredWithin", () => {
  it("clears its timer when the answer comes, and abandons nothing", async () => {
    vi.useFakeTimers()
    try {
      const abandon = vi.fn()
      const answer = answeredWithin(1_000, async () => "answer", abandon)
      expect(await answer).toBe("answer")
      expect(vi.getTimerCount()).toBe(0)
      expect(abandon).not.toHaveBeenCalled()
    } finally {
      vi.useRealTimers()
    }
  })

  it("fails and abandons once when the time is up; a late answer is dropped", async () => {
    vi.useFakeTimers()
    try {
      const abandon = vi.fn()
      let answer: (value: string) => void = () => undefined
      const result = answeredWithin(50, () => new Promise<string>((resolve) => (answer = resolve)), abandon)
      const failure = result.catch((error: unknown) => error)
      await vi.advanceTimersByTimeAsync(50)
      answer("too late")
      const error = await failure
      expect((error as Error).message).toBe(
        "No answer within requestTimeoutMs (50 ms); the request was abandoned",
      )
      expect(abandon).toHaveBeenCalledTimes(1)
      expect(abandon).toHaveBeenCalledWith(error)
    } finally {
      vi.useRealTimers()
    }
  })

  it("throws what a request throws at once, as without a limit, and sets no timer", () => {
    vi.useFakeTimers()
    try {
      const thrown = new Error("refused at once")
      const refuse = () => {
        throw thrown
      }
      expect(() => answeredWithin(1_000, refuse, () => undefined)).toThrow(thrown)
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it("is the request itself without a limit", async () => {
    const request = Promise.resolve(7)
    expect(
      answeredWithin(
        undefined,
        () => request,
        () => undefined,
      ),
    ).toBe(request)
  })
})

describe("requestTimeoutMs is checked when the driver is made", () => {
  // 2^31 ms and more: a timer that long fires at once.
  const bad = [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, 3e9, "300" as unknown as number]
  for (const [name, make] of [
    ["neon", (options: object) => neon(options)],
    ["libsql", (options: object) => libsql(options)],
  ] as const) {
    it(`${name}(): requestTimeoutMs`, () => {
      for (const value of bad) {
        expect(() => make({ requestTimeoutMs: value })).toThrow(InvalidRequestError)
        expect(() => make({ requestTimeoutMs: value })).toThrow(
          `requestTimeoutMs must be a positive number of milliseconds up to 2147483647, got ${String(value)}`,
        )
      }
      expect(() => make({ requestTimeoutMs: 250 })).not.toThrow()
      expect(() => make({ requestTimeoutMs: 2 ** 31 - 1 })).not.toThrow()
    })
  }
})
