// close() while a flush inside the transaction waits on a server that went silent (a request that ends
// with its flush left unawaited): close() gives up on it after a bounded wait and the flush fails. Its
// failure put the objects back as they were, and back into the session, which had already let them
// go: an object updated by an earlier flush of the transaction stayed persistent in the closed session,
// and another session could not take it ("belongs to another session").
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AsyncSession, ConnectionError, createAll, inspect } from "../../src/index.ts"
import {
  type FaultRig,
  HANG_DEADLINE_MS,
  NOTHING_OPEN,
  SHORT_STREAM_EXPIRY_MS,
  startFaultRig,
  within,
} from "../reliability/fault-rig.ts"
import { concurrencyModels } from "./models.ts"

const { registry, Doc } = concurrencyModels("close")

let rig: FaultRig
beforeAll(async () => {
  // Its faults lose libSQL streams' batons: only their expiry ends them before settled().
  rig = await startFaultRig({ streamExpiryMs: SHORT_STREAM_EXPIRY_MS })
  for (const database of ["neon-http", "libsql-http"] as const) {
    await using connection = rig.inspect(database).connect()
    await createAll(registry.metadata, connection)
  }
})
afterAll(() => rig?.stop())

describe("close() while a flush waits on a silent server", () => {
  for (const transport of ["neon-http", "neon-websocket", "libsql-http"] as const) {
    it(`${transport}: settles, and the session's objects are let go, for another session to take`, async () => {
      const scope = `cc-close-${transport}`
      const session = new AsyncSession(rig.engine(transport, scope))
      const stored = new Doc({ name: `stored-${transport}` })
      session.add(stored)
      await session.commit()
      await session.begin()
      stored.n = 1
      await session.flush()
      const fresh = new Doc({ name: `fresh-${transport}` })
      session.add(fresh)
      stored.n = 2
      rig.proxyOf(transport).arm("hang", { scope })
      const flushing = session.flush().catch((error: unknown) => error)
      try {
        await within(HANG_DEADLINE_MS, "close()", session.close())
        expect(await within(HANG_DEADLINE_MS, "the flush", flushing)).toBeInstanceOf(ConnectionError)
      } finally {
        rig.proxyOf(transport).releaseHung()
      }
      // The transaction was rolled back: the stored object is as its row is, the new one never written.
      expect([inspect(stored).state, inspect(fresh).state]).toEqual(["detached", "transient"])
      expect(stored.n).toBe(0)
      {
        await using other = new AsyncSession(rig.engine(transport, `${scope}-other`))
        other.addAll([stored, fresh])
        await other.commit()
        expect(await other.get(Doc, stored.id)).toBe(stored)
        expect(inspect(fresh).state).toBe("persistent")
      }
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }
})
