// `requestTimeoutMs` fails the round trip that timed out, not the others under way on its connection.
// A timeout aborted every HTTP request the connection had in flight: a read or a write sent beside the
// silent one (a Promise.all, a waitUntil) failed with it, a write as an UnknownOutcomeError though it
// had nothing to do with the silent server. Inside a transaction on libSQL, whose requests share one
// stream, the others are in the transaction the timeout ended, and fail with it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { ConnectionError, text } from "../../src/index.ts"
import { holdNextRequest, stopHolding } from "../concurrency/held-request.ts"
import { type FaultRig, NOTHING_OPEN, startFaultRig, within } from "../reliability/fault-rig.ts"

let rig: FaultRig
beforeAll(async () => {
  rig = await startFaultRig()
})
afterAll(() => rig?.stop())
afterEach(() => stopHolding())

// Long enough that a loaded machine answers a live request within it: the write below has half of it
// (1 s) between the read's timeout and its own to be released and answered.
const TIMEOUT_MS = 2_000
const TIMED_OUT = `No answer within requestTimeoutMs (${TIMEOUT_MS} ms); the request was abandoned`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const outcome = (work: Promise<unknown>) =>
  work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: error instanceof ConnectionError ? error.message : String(error) }),
  )

describe("a round trip that times out fails alone", () => {
  let n = 0
  for (const transport of ["neon-http", "libsql-http"] as const) {
    it(`${transport}: a statement beside it, still out when it times out, answers`, async () => {
      const scope = `lf-timeout-beside-${transport}-${++n}`
      const table = `lf_timeout_beside_${transport.replace("-", "_")}`
      const proxy = rig.proxyOf(transport)
      await rig.inspect(transport).execute(text(`CREATE TABLE ${table} (x integer)`))
      const connection = rig.engine(transport, scope, { requestTimeoutMs: TIMEOUT_MS }).connect()
      try {
        await connection.execute(text("SELECT 1"))
        proxy.arm("hang", { scope })
        const silent = outcome(connection.execute(text("SELECT 2")))
        // The write goes out half the limit later, so its own time is not up when the read's is.
        await sleep(TIMEOUT_MS / 2)
        const held = holdNextRequest(scope)
        const write = outcome(connection.execute(text(`INSERT INTO ${table} VALUES (7)`)))
        await held.sent
        expect(await within(3 * TIMEOUT_MS, "the silent read", silent)).toEqual({ error: TIMED_OUT })
        held.release()
        expect(await within(3 * TIMEOUT_MS, "the write", write)).toMatchObject({ value: { rowsAffected: 1 } })
      } finally {
        await connection.close()
        proxy.releaseHung()
      }
      const stored = await rig.inspect(transport).execute(text(`SELECT x FROM ${table}`))
      expect(stored.all().map(([x]) => Number(x))).toEqual([7])
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }

  it("libsql-http: inside a transaction, a statement queued behind it on the stream fails with it", async () => {
    const scope = `lf-timeout-transaction-${++n}`
    const proxy = rig.proxyOf("libsql-http")
    const connection = rig.engine("libsql-http", scope, { requestTimeoutMs: TIMEOUT_MS }).connect()
    try {
      await connection.begin()
      await connection.execute(text("SELECT 1"))
      proxy.arm("hang", { scope })
      const [silent, beside] = await within(
        3 * TIMEOUT_MS,
        "the statements",
        Promise.all([
          outcome(connection.execute(text("SELECT 2"))),
          outcome(connection.execute(text("SELECT 3"))),
        ]),
      )
      expect(silent).toEqual({ error: TIMED_OUT })
      // Sent after it on the stream it broke: never sent, it fails saying why (the transaction is gone).
      expect(beside).toEqual({ error: `HRANA_CLOSED_ERROR: Stream is closed: ${TIMED_OUT}` })
      expect(connection.inTransaction).toBe(false)
    } finally {
      await connection.close()
      proxy.releaseHung()
    }
    expect(await rig.settled()).toEqual(NOTHING_OPEN)
  })
})
