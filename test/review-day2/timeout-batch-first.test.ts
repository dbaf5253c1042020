// requestTimeoutMs aborts the round trip that timed out, not the others beside it (6aa0041). Over libSQL
// HTTP the transport once gave each fetch the abort of "the oldest request not yet fetched", trusting
// @libsql/client to fetch in the order it was asked; it did not: a batch awaited the protocol version
// first, so a batch asked just before a read was fetched after it, each with the other's abort. The
// read's timeout then aborted the batch (a commit still out failed as an UnknownOutcomeError), and the
// read's own request was never aborted: it hung on until close(). edgealchemy/libsql now sends each
// request itself, with its own abort; the batch is held here before it leaves, so that the read, asked
// just after it, is the request the proxy hangs.
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

/** Long enough that a loaded machine answers the batch, a live request, within it. */
const TIMEOUT_MS = 2_000
const TIMED_OUT = `No answer within requestTimeoutMs (${TIMEOUT_MS} ms); the request was abandoned`

const outcome = (work: Promise<unknown>) =>
  work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: error instanceof ConnectionError ? error.message : String(error) }),
  )

describe("a batch asked just before a read that times out", () => {
  it("libsql-http: the read's timeout aborts the read's request, not the batch asked just before it", async () => {
    const scope = `rd-timeout-batch-first-${Date.now().toString(36)}`
    const table = "rd_timeout_batch_first"
    const proxy = rig.proxyOf("libsql-http")
    await rig.inspect("libsql-http").execute(text(`DROP TABLE IF EXISTS ${table}`))
    await rig.inspect("libsql-http").execute(text(`CREATE TABLE ${table} (x integer)`))
    const connection = rig.engine("libsql-http", scope, { requestTimeoutMs: TIMEOUT_MS }).connect()
    try {
      await connection.execute(text("SELECT 1"))
      const held = holdNextRequest(scope)
      const write = outcome(
        connection.batch([text(`INSERT INTO ${table} VALUES (7)`), text(`INSERT INTO ${table} VALUES (8)`)]),
      )
      await held.sent
      // The first request to reach the proxy from now on hangs: the read's.
      proxy.arm("hang", { scope })
      const silent = outcome(connection.execute(text("SELECT 2")))
      // The batch goes out half the limit later, well within its own.
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 2))
      held.release()
      expect(await within(3 * TIMEOUT_MS, "the batch", write)).toMatchObject({ value: [{}, {}] })
      expect(await within(3 * TIMEOUT_MS, "the silent read", silent)).toEqual({ error: TIMED_OUT })
      // The read's timeout aborted its own request: nothing is left hanging, before close() cuts it.
      // (The old one aborted the batch's, answered by then, and the read's hung on.)
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    } finally {
      await connection.close()
      proxy.releaseHung()
    }
    const stored = await rig.inspect("libsql-http").execute(text(`SELECT x FROM ${table} ORDER BY x`))
    expect(stored.all().map(([x]) => Number(x))).toEqual([7, 8])
  })
})
