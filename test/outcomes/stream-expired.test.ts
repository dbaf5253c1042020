// A libSQL transaction left idle past the server's stream expiry (10 s on Turso; 200 ms at this file's
// libsql-local) is rolled back by the server, and the next call inside it, COMMIT included, is refused
// with STREAM_EXPIRED. The error says what that means for the work: nothing of the transaction was
// applied, and it is to be run again (not the commit alone, which has no transaction left to commit).
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { OperationalError, text, UnknownOutcomeError } from "../../src/index.ts"
import { type FaultRig, startFaultRig } from "../reliability/fault-rig.ts"

let rig: FaultRig
beforeAll(async () => {
  // The expiry timer is set when the INSERT's answer goes out, before the test's 600 ms wait starts, and
  // both run in this process: however loaded the machine, it fires first.
  rig = await startFaultRig({ streamExpiryMs: 200 })
})
afterAll(() => rig?.stop())

describe("libSQL HTTP: a transaction whose stream expired", () => {
  it("is refused at COMMIT, or at its next statement, saying nothing of it was applied", async () => {
    const engine = rig.engine("libsql-http", "oc-expired")
    await engine.execute(text("CREATE TABLE oc_expired (x integer)"))
    const errors: unknown[] = []
    for (const next of ["commit", "statement"] as const) {
      await using connection = engine.connect()
      await connection.begin()
      await connection.execute(text("INSERT INTO oc_expired VALUES (1)"))
      await new Promise((resolve) => setTimeout(resolve, 600))
      const sent =
        next === "commit"
          ? connection.commit()
          : connection.execute(text("INSERT INTO oc_expired VALUES (2)"))
      errors.push(await sent.catch((error: unknown) => error))
      expect(connection.inTransaction).toBe(false)
    }
    for (const error of errors) {
      expect(error).toBeInstanceOf(OperationalError)
      expect(error).not.toBeInstanceOf(UnknownOutcomeError)
      expect((error as Error).message).toMatch(
        /^STREAM_EXPIRED: .*: the transaction was rolled back; run it again$/,
      )
    }
    const rows = await rig.inspect("libsql-http").execute(text("SELECT count(*) FROM oc_expired"))
    expect(Number(rows.scalar())).toBe(0)
  })
})
