// The fault rig's libsql-local expired a stream idle for 200 ms, so any of its ~25 suites whose test
// process paused that long between two statements of a libSQL transaction (a loaded machine: CI shares 2
// cores) failed with STREAM_EXPIRED. Its default is now long; the suites about expiry, or whose faults
// lose a baton that only expiry ends, ask for a short one (SHORT_STREAM_EXPIRY_MS). A pause stands in for
// the load: past the old 200 ms, the transaction still commits, and its stream is closed by the client.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import { type FaultRig, NOTHING_OPEN, startFaultRig } from "../reliability/fault-rig.ts"

let rig: FaultRig
beforeAll(async () => {
  rig = await startFaultRig()
})
afterAll(() => rig?.stop())

describe("the fault rig's default libSQL stream expiry", () => {
  it("lets a transaction pause between its statements and commit", async () => {
    const engine = rig.engine("libsql-http", "f2-pause")
    await engine.execute(text("CREATE TABLE f2_pause (x integer)"))
    {
      await using connection = engine.connect()
      await connection.begin()
      await connection.execute(text("INSERT INTO f2_pause VALUES (1)"))
      await new Promise((resolve) => setTimeout(resolve, 300))
      await connection.execute(text("INSERT INTO f2_pause VALUES (2)"))
      await new Promise((resolve) => setTimeout(resolve, 300))
      await connection.commit()
    }
    const stored = await rig.inspect("libsql-http").execute(text("SELECT x FROM f2_pause ORDER BY x"))
    expect(stored.all().map(([x]) => Number(x))).toEqual([1, 2])
    expect(await rig.settled()).toEqual(NOTHING_OPEN)
  })
})
