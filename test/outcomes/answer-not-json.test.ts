// An answer whose body is not the JSON the driver reads (a 200 whose body a middlebox replaced or
// garbled). Neon's proxy and libSQL's server answer 200 only once the work is done, a commit included:
// such a commit may well have been applied, and was reported as a DatabaseError quoting the JSON parser
// ("Unexpected token '<' ... is not valid JSON"), which reads as "it failed". It is an
// UnknownOutcomeError; a read so answered is a plain ConnectionError.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import { FAULTED_TRANSPORTS, type FaultRig, startFaultRig } from "../reliability/fault-rig.ts"
import { commitWriteRead } from "./commit-write-read.ts"

let rig: FaultRig
beforeAll(async () => {
  rig = await startFaultRig()
})
afterAll(() => rig?.stop())

const GARBLED = {
  status: 200,
  body: "<html><body>Welcome to the network</body></html>",
  contentType: "text/html",
}

describe("an answer that is not JSON", () => {
  let n = 0
  for (const transport of FAULTED_TRANSPORTS.filter((name) => name !== "neon-websocket")) {
    it(`${transport}: after a commit, its outcome is unknown; after a read, a ConnectionError`, async () => {
      const scope = `oc-garbled-${++n}`
      const table = `oc_garbled_${n}`
      const engine = rig.engine(transport, scope)
      const proxy = rig.proxyOf(transport)
      await engine.execute(text(`CREATE TABLE ${table} (x integer)`))
      const outcomes = await commitWriteRead(engine, table, () =>
        proxy.arm("cut", { scope, answer: GARBLED }),
      )
      expect(outcomes).toEqual(["unknown", "unknown", "connection"])
      const rows = await rig.inspect(transport).execute(text(`SELECT x FROM ${table} ORDER BY x`))
      expect(rows.all().map(([x]) => Number(x))).toEqual([1, 2, 3])
    })
  }
})
