// A transaction on Neon's WebSocket given up while its statement waits on a lock (requestTimeoutMs, or
// close()) must let go of the locks it took, as the README promises ("the database rolls it back").
// A backend waiting on a lock reads nothing from its socket, so ending the socket alone left the
// transaction open with its locks until the lock it waited for was granted; the driver now cancels the
// statement first (a CancelRequest, as psql's Ctrl-C).
import { describe, expect, it } from "vitest"
import ws from "ws"
import { type Connection, ConnectionError, column, Integer, model, Registry, text } from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()

class Slot extends model(
  "al_slots",
  { id: column(Integer, { primaryKey: true }), value: column(Integer) },
  { registry },
) {}

registry.registerModels(Slot)

const fixture = neonFixture("websocket", ws)
const scope = (name: string) => `abandoned-locks-${name}-${Date.now().toString(36)}`
const setup = fixture.engine(scope("setup"))

/** Settles with `promise`, or rejects after `ms`: a write that waits on a leaked lock fails fast. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms),
    ),
  ])
}

/** A leaked lock is held until the holder ends, after the check: any limit short of the test's catches it. */
const FREED_WITHIN_MS = 10_000

/** Waits until the victim's UPDATE of row 2 waits on its lock at the server. A fixed while (200 ms) could
 *  end first on a loaded machine: a close() then finds nothing running to cancel, and the UPDATE arriving
 *  after it waits holding row 1, a race of its own that this test is not about. */
async function untilWaitingOnTheLock(): Promise<void> {
  await using watcher = setup.connect()
  for (;;) {
    const waiting = await watcher.execute(
      text(
        "SELECT count(*)::int FROM pg_stat_activity WHERE wait_event_type = 'Lock' " +
          "AND query LIKE '%al_slots SET value = value + 5%' AND pid <> pg_backend_pid()",
      ),
    )
    if (Number(waiting.scalar()) > 0) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Row 2 locked by another transaction; row 1 locked by `victim`, whose UPDATE of row 2 then waits. */
async function victimWaitingOnALock(victim: Connection) {
  await using seed = setup.connect()
  await seed.batch([text("DELETE FROM al_slots"), text("INSERT INTO al_slots VALUES (1, 0), (2, 0)")])
  const holder = setup.connect()
  await holder.begin()
  await holder.execute(text("UPDATE al_slots SET value = value WHERE id = 2"))
  await victim.begin()
  await victim.execute(text("UPDATE al_slots SET value = value - 5 WHERE id = 1"))
  const waiting = victim.execute(text("UPDATE al_slots SET value = value + 5 WHERE id = 2"))
  return { holder, waiting }
}

describe("a Neon WebSocket transaction given up while it waits on a lock", () => {
  freshSchema(setup, registry.metadata)

  it("requestTimeoutMs: the statement is cancelled and row 1 is free at once", async () => {
    // Its BEGIN and first UPDATE must answer within the limit too: long enough for a loaded machine.
    const victim = fixture.engine(scope("timeout"), { neon: { requestTimeoutMs: 2_000 } }).connect()
    const { holder, waiting } = await victimWaitingOnALock(victim)
    try {
      await expect(waiting).rejects.toBeInstanceOf(ConnectionError)
      await victim.close()
      await using next = setup.connect()
      await within(
        FREED_WITHIN_MS,
        "UPDATE of row 1",
        next.execute(text("UPDATE al_slots SET value = 7 WHERE id = 1")),
      )
    } finally {
      await holder.rollback().catch(() => undefined)
      await holder.close()
    }
  })

  it("close(): the statement is cancelled and row 1 is free", async () => {
    const victim = fixture.engine(scope("close")).connect()
    const { holder, waiting } = await victimWaitingOnALock(victim)
    waiting.catch(() => undefined)
    try {
      await untilWaitingOnTheLock()
      await victim.close()
      await expect(waiting).rejects.toBeInstanceOf(ConnectionError)
      await using next = setup.connect()
      const updated = await within(
        FREED_WITHIN_MS,
        "UPDATE of row 1",
        next.execute(text("UPDATE al_slots SET value = 7 WHERE id = 1")),
      )
      expect(updated.rowsAffected).toBe(1)
    } finally {
      await holder.rollback().catch(() => undefined)
      await holder.close()
    }
  })
})
