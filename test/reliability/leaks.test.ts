// Issue 13's leak check: many mixed requests on Neon HTTP, Neon's WebSocket and libSQL HTTP, run a few
// at a time, a share of them faulted (dropped, cut, failed, hung) or aborted (the session closed while
// a statement is in flight, as a request that ends early closes its session), some failing on their
// own (a duplicate key, a bad statement) or abandoned inside a transaction. Afterwards nothing may be
// left: no libSQL stream, no connection or WebSocket at the proxies, no PostgreSQL backend of the
// clients, none idle in a transaction. The mix is drawn from a seeded generator: the same every run.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AsyncSession, createAll, dropAll, EdgeAlchemyError, func, select, text } from "../../src/index.ts"
import type { FaultKind } from "../../tools/fault-proxy/index.ts"
import { FaultAuthor, FaultBook, faultRegistry } from "./fault-models.ts"
import {
  FAULTED_TRANSPORTS,
  type FaultedTransport,
  type FaultRig,
  NOTHING_OPEN,
  SHORT_STREAM_EXPIRY_MS,
  startFaultRig,
} from "./fault-rig.ts"

const REQUESTS = 300

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

/** mulberry32: a small seeded generator, so the mix is the same on every run. */
function generator(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

type Work = (session: AsyncSession, trial: string) => Promise<unknown>

const WORK: Record<string, Work> = {
  read: (session) => session.scalar(select(func.count()).selectFrom(FaultAuthor)),
  commitGraph: async (session, trial) => {
    const author = new FaultAuthor({ trial })
    new FaultBook({ title: "a", author })
    session.add(author)
    await session.commit()
  },
  transaction: async (session, trial) => {
    await session.begin()
    session.add(new FaultAuthor({ trial }))
    await session.flush()
    const savepoint = await session.beginNested()
    await session.execute(text("SELECT 1"))
    await savepoint.rollback()
    await session.commit()
  },
  duplicateKey: async (session, trial) => {
    session.add(new FaultAuthor({ trial }))
    await session.commit()
    session.add(new FaultAuthor({ trial }))
    await session.commit()
  },
  badStatementInTransaction: async (session) => {
    await session.begin()
    await session.execute(text("SELECT * FROM no_such_table"))
  },
  abandonedTransaction: async (session, trial) => {
    await session.begin()
    session.add(new FaultAuthor({ trial }))
    await session.flush()
    // Never committed: close() must roll it back and release the socket or stream.
  },
}
const WORK_NAMES = Object.keys(WORK)
const FAULTS: FaultKind[] = ["drop", "cut", "fail", "hang"]

/** What seed 13 draws: faults armed (a fault armed past a request's last round trip never fires). */
const EXPECTED_MIX = { faulted: 91, aborted: 68 }

interface Tally {
  requests: number
  faulted: number
  /** Faults that hit a round trip. */
  fired: number
  aborted: number
  succeeded: number
  failed: number
}

interface Plan {
  readonly trial: string
  readonly transport: FaultedTransport
  readonly work: string
  readonly fault: FaultKind | undefined
  /** Which of its round trips the fault hits (it may have fewer: then none is faulted). */
  readonly faultAt: number
  /** Close the session this long after the work started, whether it is done or not. */
  readonly abortAfterMs: number | undefined
}

/** The whole mix, drawn up front so that it is the same whatever order the requests finish in. */
function planRequests(count: number, seed: number): Plan[] {
  const random = generator(seed)
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T
  return Array.from({ length: count }, (_, n) => {
    const transport = FAULTED_TRANSPORTS[n % FAULTED_TRANSPORTS.length] as FaultedTransport
    const work = pick(WORK_NAMES)
    const fault = random() < 0.3 ? pick(FAULTS) : undefined
    const faultAt = Math.floor(random() * 4)
    // A hung round trip holds its work until the session is closed, as a request that ends would.
    const aborted = random() < 0.15 || fault === "hang"
    const abortAfterMs = aborted ? Math.floor(random() * 10) + (fault === "hang" ? 30 : 0) : undefined
    return { trial: `leak-${n}-${work}`, transport, work, fault, faultAt, abortAfterMs }
  })
}

/** Requests at once per transport: libSQL has one writer, more would only queue on its lock. */
const AT_ONCE: Record<FaultedTransport, number> = { "neon-http": 3, "neon-websocket": 3, "libsql-http": 1 }

describe("nothing is left open after many mixed, faulted and aborted requests", () => {
  it(`${REQUESTS} requests over ${FAULTED_TRANSPORTS.join(", ")}`, { timeout: 60_000 }, async () => {
    const plans = planRequests(REQUESTS, 13)
    const tally: Tally = { requests: 0, faulted: 0, fired: 0, aborted: 0, succeeded: 0, failed: 0 }
    const untyped: string[] = []

    async function request(plan: Plan): Promise<void> {
      const proxy = rig.proxyOf(plan.transport)
      if (plan.fault) proxy.arm(plan.fault, { scope: plan.trial, after: plan.faultAt })
      const session = new AsyncSession(rig.engine(plan.transport, plan.trial))
      const work = (WORK[plan.work] as Work)(session, plan.trial)
      // An aborted request: its session is closed while the work may still be waiting on the database.
      const aborting =
        plan.abortAfterMs === undefined
          ? undefined
          : new Promise((resolve) => setTimeout(resolve, plan.abortAfterMs)).then(() => session.close())
      const outcome = await work.then(
        () => "succeeded" as const,
        (error: unknown) => {
          // Whatever fails, it fails with the library's own errors (a closed session's included).
          if (!(error instanceof EdgeAlchemyError)) untyped.push(`${plan.trial}: ${String(error)}`)
          return "failed" as const
        },
      )
      await aborting
      await session.close()
      tally.requests++
      tally[outcome]++
      if (plan.fault) tally.faulted++
      if (proxy.log(plan.trial).some((roundTrip) => roundTrip.fault)) tally.fired++
      if (plan.abortAfterMs !== undefined) tally.aborted++
    }

    /** Each transport's requests in order, a few at once, all transports at the same time. */
    async function lane(transport: FaultedTransport): Promise<void> {
      const queue = plans.filter((plan) => plan.transport === transport)
      const worker = async () => {
        for (let plan = queue.shift(); plan; plan = queue.shift()) await request(plan)
      }
      await Promise.all(Array.from({ length: AT_ONCE[transport] }, worker))
    }

    await Promise.all(FAULTED_TRANSPORTS.map(lane))
    expect(untyped).toEqual([])
    expect(tally.requests).toBe(REQUESTS)
    // The mix is the seed's: it faults and aborts a fair share, and most requests still succeed.
    expect(tally).toMatchObject(EXPECTED_MIX)
    expect(tally.fired).toBeGreaterThan(REQUESTS / 6)
    expect(tally.succeeded).toBeGreaterThan(REQUESTS / 3)
    expect(await rig.settled(5_000)).toEqual(NOTHING_OPEN)
  })
})
