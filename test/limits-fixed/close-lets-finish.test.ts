// close() on Neon's WebSocket lets a statement already sent end, as it does over HTTP and on libSQL
// (test/reliability/close-settles.test.ts), within `closeTimeoutMs`. It cancelled it at once: a query
// returned unawaited from an `await using` scope failed ("Connection terminated"), and an UPDATE that
// waited on a row lock was cut though the lock was let go a moment later. A statement that has not
// ended when the time is up is still cancelled, so a silent server or a lock never let go cannot hold
// close() (test/reliability/abandoned-locks.test.ts: its locks are let go).
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  type Connection,
  column,
  type Engine,
  Integer,
  model,
  Registry,
  text,
  UnknownOutcomeError,
} from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { type FaultRig, NOTHING_OPEN, startFaultRig, within } from "../reliability/fault-rig.ts"

const registry = new Registry()
class Slot extends model(
  "lf_close_slots",
  { id: column(Integer, { primaryKey: true }), value: column(Integer) },
  { registry },
) {}
registry.registerModels(Slot)

const fixture = neonFixture("websocket", ws)
const scope = (name: string) => `lf-close-${name}-${Date.now().toString(36)}`
const setup = fixture.engine(scope("setup"))

let rig: FaultRig
beforeAll(async () => {
  rig = await startFaultRig()
})
afterAll(() => rig?.stop())

/** The rig's close timeout, 300 ms, several times over: close() gave up on a silent server before this. */
const DEADLINE_MS = 4_000

describe("close() on Neon's WebSocket lets a statement already sent end", () => {
  freshSchema(setup, registry.metadata)

  async function answerAfterScope(engine: Engine): Promise<number> {
    await using session = new AsyncSession(engine)
    return session.scalar(text("SELECT 41 + 1")).then(Number)
  }

  it("a query returned unawaited from an await using scope answers; a batch sent before close() too", async () => {
    const engine = rig.engine("neon-websocket", scope("answer"))
    expect(await within(DEADLINE_MS, "the query", answerAfterScope(engine))).toBe(42)
    const connection = engine.connect()
    await connection.execute(text("SELECT 0"))
    const batch = connection.batch([text("SELECT 1"), text("SELECT 2")])
    const alone = connection.execute(text("SELECT 3"))
    await within(DEADLINE_MS, "close()", connection.close())
    expect((await batch).map((result) => Number(result.scalar()))).toEqual([1, 2])
    expect(Number((await alone).scalar())).toBe(3)
    expect(await rig.settled()).toEqual(NOTHING_OPEN)
  })

  /** Row 1 locked by `holder`; `victim`'s UPDATE of it, sent in autocommit, waits for the lock. */
  async function updateWaitingOnALock(victim: Connection, holder: Connection) {
    await using seed = setup.connect()
    await seed.batch([text("DELETE FROM lf_close_slots"), text("INSERT INTO lf_close_slots VALUES (1, 0)")])
    await holder.begin()
    await holder.execute(text("UPDATE lf_close_slots SET value = 1 WHERE id = 1"))
    await victim.execute(text("SELECT 1"))
    const waiting = victim.execute(text("UPDATE lf_close_slots SET value = value + 10 WHERE id = 1"))
    waiting.catch(() => undefined)
    // Until the server says the UPDATE waits for the lock: it has certainly been sent.
    await lockWaitsAre(1)
    // In an object: an async function returning the promise itself would wait for it.
    return { waiting }
  }

  /** Waits until `count` statements wait on a lock of lf_close_slots, as pg_stat_activity says. */
  async function lockWaitsAre(count: number): Promise<void> {
    await using watcher = setup.connect()
    for (let tries = 0; ; tries++) {
      const lockWaits = await watcher.execute(
        text(
          "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE lf_close_slots%'",
        ),
      )
      if (Number(lockWaits.scalar()) === count) return
      if (tries > 300) throw new Error(`${lockWaits.scalar()} statements wait on the lock, not ${count}`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  it("an UPDATE waiting on a lock let go while close() waits ends, and its row is written", async () => {
    const victim = fixture.engine(scope("lock-let-go"), { neon: { closeTimeoutMs: 10_000 } }).connect()
    const holder = setup.connect()
    try {
      const { waiting } = await updateWaitingOnALock(victim, holder)
      const closing = victim.close()
      await holder.commit()
      expect((await within(DEADLINE_MS, "the UPDATE", waiting)).rowsAffected).toBe(1)
      await within(DEADLINE_MS, "close()", closing)
    } finally {
      await holder.close()
    }
    const stored = await setup.connect().execute(text("SELECT value FROM lf_close_slots WHERE id = 1"))
    expect(Number(stored.scalar())).toBe(11)
  })

  it("an UPDATE waiting on a lock never let go is cancelled once closeTimeoutMs is up", async () => {
    const victim = fixture.engine(scope("lock-held"), { neon: { closeTimeoutMs: 300 } }).connect()
    const holder = setup.connect()
    try {
      const { waiting } = await updateWaitingOnALock(victim, holder)
      await within(DEADLINE_MS, "close()", victim.close())
      // An autocommitted write that was sent: the client cannot know whether it ran.
      await expect(within(DEADLINE_MS, "the UPDATE", waiting)).rejects.toBeInstanceOf(UnknownOutcomeError)
      // The cancel request lands (it travels on a socket of its own): the UPDATE no longer waits.
      await lockWaitsAre(0)
    } finally {
      await holder.rollback()
      await holder.close()
    }
    const stored = await setup.connect().execute(text("SELECT value FROM lf_close_slots WHERE id = 1"))
    expect(Number(stored.scalar())).toBe(0)
  })
})
