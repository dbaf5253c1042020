// Issue 13's fault suite, the interactive transaction: begin, a flush, a savepoint with a flush in it,
// its release and the commit, with each round trip dropped, cut or failed in turn, on Neon (its
// WebSocket, in either mode) and libSQL HTTP (a baton stream). Whatever fails, the database keeps all
// of the transaction or none of it; only a lost COMMIT leaves the outcome unknown.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createAll, dropAll, inspect } from "../../src/index.ts"
import { FaultAuthor, FaultBook, faultRegistry } from "./fault-models.ts"
import {
  FAULTED_TRANSPORTS,
  type FaultedTransport,
  type FaultRig,
  SHORT_STREAM_EXPIRY_MS,
  startFaultRig,
} from "./fault-rig.ts"
import { FAULTS, faultedTrial, roundTripsOf, type Unit } from "./fault-trials.ts"

let rig: FaultRig
beforeAll(async () => {
  // Its faults lose libSQL streams' batons: only their expiry ends them before settled().
  rig = await startFaultRig({ streamExpiryMs: SHORT_STREAM_EXPIRY_MS })
  for (const transport of ["neon-http", "libsql-http"] as const) {
    await using connection = rig.inspect(transport).connect()
    await dropAll(faultRegistry.metadata, connection)
    await createAll(faultRegistry.metadata, connection)
  }
})
afterAll(() => rig?.stop())

const transaction: Unit = {
  graph: (trial) => new FaultAuthor({ trial }),
  run: async (session, author) => {
    await session.begin()
    session.add(author)
    await session.flush()
    const savepoint = await session.beginNested()
    session.add(new FaultBook({ title: "In a savepoint", author }))
    await session.flush()
    await savepoint.commit()
    await session.commit()
  },
}

/**
 * Connect (the startup message; the cleartext password neon-local asks for, as Neon does), BEGIN,
 * INSERT (extended protocol), SAVEPOINT, INSERT, RELEASE, COMMIT.
 */
const PG = [/^startup$/, /^p$/, /^Q$/, /^PBDEHS$/, /^Q$/, /^PBDEHS$/, /^Q$/, /^Q$/]
/** BEGIN travels with the first statement on a libSQL stream; the last request commits and closes. */
const ROUND_TRIPS: Record<FaultedTransport, RegExp[]> = {
  "neon-http": PG,
  "neon-websocket": PG,
  "libsql-http": Array.from({ length: 5 }, () => /^POST \/s\/.*\/v2\/pipeline /),
}

describe("faults in an interactive transaction with a savepoint", () => {
  for (const transport of FAULTED_TRANSPORTS) {
    describe(transport, () => {
      it("runs in the round trips it should", async () => {
        const seen = await roundTripsOf(rig, transport, transaction)
        expect(seen).toHaveLength(ROUND_TRIPS[transport].length)
        for (const [i, pattern] of ROUND_TRIPS[transport].entries()) expect(seen[i]).toMatch(pattern)
      })

      for (const fault of FAULTS) {
        it(`${fault}: at each round trip, all or nothing, the right error, nothing left open`, {
          timeout: 30_000,
        }, async () => {
          const points = ROUND_TRIPS[transport].length
          for (let at = 0; at < points; at++) {
            await faultedTrial(rig, transport, transaction, fault, at, {
              all: { authors: 1, books: 1 },
              commitAt: points - 1,
              // Whatever round trip failed, the transaction did not commit (or its outcome is unknown):
              // objects it had flushed are new again (transient), one whose flush failed is still
              // pending, and none keeps a key the database gave it.
              afterFailure: (author) => {
                expect(["transient", "pending"]).toContain(inspect(author).state)
                expect(author.id).toBeUndefined()
                for (const book of author.books) expect(book.id).toBeUndefined()
              },
            })
          }
        })
      }
    })
  }
})
