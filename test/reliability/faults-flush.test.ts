// Issue 13's fault suite, the flush: a commit of an object graph (an author and two books, keys handed
// from parent to children inside the request) with each of its round trips dropped, cut or failed in
// turn, on Neon HTTP, Neon's WebSocket and libSQL HTTP. The commit is one atomic request (with the
// WebSocket's connect before it), so every fault leaves all of it or nothing; the error says which
// faults leave the outcome unknown.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createAll, dropAll, inspect, UnknownOutcomeError } from "../../src/index.ts"
import { FaultAuthor, FaultBook, faultRegistry } from "./fault-models.ts"
import { FAULTED_TRANSPORTS, type FaultedTransport, type FaultRig, startFaultRig } from "./fault-rig.ts"
import { FAULTS, faultedTrial, roundTripsOf, type Unit } from "./fault-trials.ts"

let rig: FaultRig
beforeAll(async () => {
  rig = await startFaultRig()
  for (const transport of ["neon-http", "libsql-http"] as const) {
    await using connection = rig.inspect(transport).connect()
    await dropAll(faultRegistry.metadata, connection)
    await createAll(faultRegistry.metadata, connection)
  }
})
afterAll(() => rig?.stop())

const commitGraph: Unit = {
  graph: (trial) => {
    const author = new FaultAuthor({ trial })
    new FaultBook({ title: "First", author })
    new FaultBook({ title: "Second", author })
    return author
  },
  run: async (session, author) => {
    session.add(author)
    await session.commit()
  },
}

/**
 * The round trips of the commit: one request over HTTP; on the WebSocket, connect (the startup message,
 * then the cleartext password neon-local asks for, as Neon does), then one script.
 */
const ROUND_TRIPS: Record<FaultedTransport, RegExp[]> = {
  "neon-http": [/^POST \/s\/.*\/sql /],
  "neon-websocket": [/^startup$/, /^p$/, /^Q$/],
  "libsql-http": [/^POST \/s\/.*\/v2\/pipeline /],
}

describe("faults in the commit of an object graph", () => {
  for (const transport of FAULTED_TRANSPORTS) {
    describe(transport, () => {
      it("commits in the round trips it should", async () => {
        const seen = await roundTripsOf(rig, transport, commitGraph)
        expect(seen.length).toBe(ROUND_TRIPS[transport].length)
        for (const [i, pattern] of ROUND_TRIPS[transport].entries()) expect(seen[i]).toMatch(pattern)
      })

      for (const fault of FAULTS) {
        it(`${fault}: at each round trip, all or nothing, the right error, nothing left open`, {
          timeout: 30_000,
        }, async () => {
          const points = ROUND_TRIPS[transport].length
          for (let at = 0; at < points; at++) {
            await faultedTrial(rig, transport, commitGraph, fault, at, {
              all: { authors: 1, books: 2 },
              commitAt: points - 1,
              // As documented: after a failed flush the objects are as before it, pending, no phantom keys;
              // after a commit whose outcome is unknown, transient (a commit that may have been applied is
              // not written again by the next: test/review-day7-hangs/unknown-commit-resent.test.ts).
              afterFailure: (author, error) => {
                expect(inspect(author).state).toBe(
                  error instanceof UnknownOutcomeError ? "transient" : "pending",
                )
                expect([author.id, ...author.books.map((book) => book.id)]).toEqual([
                  undefined,
                  undefined,
                  undefined,
                ])
              },
            })
          }
        })
      }
    })
  }
})
