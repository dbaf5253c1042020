// One trial of the fault suites: a unit of work run through the proxy with one fault on one of its
// round trips, then every check the issue asks for: the error's class, all or nothing stored, the
// session rolled back and usable again, close() settling, nothing left open.
import { expect } from "vitest"
import { AsyncSession, ConnectionError, func, select, UnknownOutcomeError } from "../../src/index.ts"
import { FaultAuthor, storedBy } from "./fault-models.ts"
import type { FaultedTransport, FaultRig } from "./fault-rig.ts"
import { HANG_DEADLINE_MS, NOTHING_OPEN, within } from "./fault-rig.ts"

export const FAULTS = ["drop", "cut", "fail"] as const
export type Fault = (typeof FAULTS)[number]

/** A unit of work on a new session: it writes `author` (named after the trial) and its books. */
export interface Unit {
  /** The object graph, not yet in any session. */
  graph(trial: string): FaultAuthor
  run(session: AsyncSession, author: FaultAuthor): Promise<void>
}

export interface Expected {
  /** What the whole unit stores when it succeeds. */
  readonly all: { authors: number; books: number }
  /** The index of the round trip that commits. */
  readonly commitAt: number
  /** How the session leaves the author after a failure, as documented; checked when given. */
  readonly afterFailure?: (author: FaultAuthor, error: unknown) => void
}

let trials = 0

/** Runs `unit` once without faults; returns the round trips it made, as the proxy saw them. */
export async function roundTripsOf(
  rig: FaultRig,
  transport: FaultedTransport,
  unit: Unit,
): Promise<string[]> {
  const trial = `${transport}-clean-${++trials}`
  const session = new AsyncSession(rig.engine(transport, trial))
  await unit.run(session, unit.graph(trial))
  await within(HANG_DEADLINE_MS, "close()", session.close())
  return rig
    .proxyOf(transport)
    .log(trial)
    .map((roundTrip) => roundTrip.what.slice(0, 60))
}

/** Runs `unit` with `fault` on its round trip number `at` (from 0) and checks the aftermath. */
export async function faultedTrial(
  rig: FaultRig,
  transport: FaultedTransport,
  unit: Unit,
  fault: Fault,
  at: number,
  expected: Expected,
): Promise<void> {
  const trial = `${transport}-${fault}-${at}-${++trials}`
  const where = `${fault} at round trip ${at} on ${transport}`
  const proxy = rig.proxyOf(transport)
  const session = new AsyncSession(rig.engine(transport, trial))
  proxy.arm(fault, { scope: trial, after: at })
  const author = unit.graph(trial)
  try {
    await checkAftermath()
  } finally {
    // Closed whatever the checks found, so one failed trial leaves nothing open for the next.
    await within(HANG_DEADLINE_MS, `${where}: close()`, session.close())
  }
  expect(await rig.settled(), `${where}: left open`).toEqual(NOTHING_OPEN)

  async function checkAftermath(): Promise<void> {
    const error = await unit.run(session, author).then(
      () => undefined,
      (failure: unknown) => failure,
    )
    expect(proxy.pending, `${where}: the fault fired`).toBe(0)
    expect(proxy.log(trial).at(-1)?.fault, `${where}: the faulted round trip was the unit's last`).toBe(fault)

    // A connection failure; an unknown outcome exactly when the commit itself went out and no answer came.
    expect(error, where).toBeInstanceOf(ConnectionError)
    expect(error instanceof UnknownOutcomeError, `${where}: ${String(error)}`).toBe(at === expected.commitAt)

    // All or nothing: after a cut of the commit the database has it all, otherwise nothing.
    const applied = fault === "cut" && at === expected.commitAt
    const stored = await storedBy(rig.inspect(transport), trial)
    expect(stored, `${where}: stored`).toEqual(applied ? expected.all : { authors: 0, books: 0 })

    // The session is out of any transaction and works again (a new socket or stream if need be).
    expect(session.inTransaction(), `${where}: still in a transaction`).toBe(false)
    const count = select(func.count()).selectFrom(FaultAuthor).where(FaultAuthor.trial.eq(trial))
    expect(await session.noAutoflush(() => session.scalar(count)), `${where}: read after`).toBe(
      stored.authors,
    )
    expected.afterFailure?.(author, error)
  }
}
