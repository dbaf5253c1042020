// One session asked for a transaction twice at once (two FOR UPDATE reads in a Promise.all, a read
// and a flush), or, in Neon's websocket mode, for its socket twice at once: one transaction and one
// socket, shared. Two used to open two, and the first was lost with its row locks: after close() a
// backend stayed idle in transaction and the next write to those rows waited for ever.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  model,
  Registry,
  select,
  text,
} from "../../src/index.ts"
import { neonFixture, type Stats } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()

class Counter extends model(
  "cb_counters",
  { id: column(Integer, { primaryKey: true }), value: column(Integer) },
  { registry },
) {}

registry.registerModels(Counter)

type OpenSockets = Stats & { openSockets: number }

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws)]) {
  describe(`concurrent transaction needs on ${fixture.name}`, () => {
    const scope = (name: string) => `concurrent-begin-${fixture.name}-${name}-${Date.now().toString(36)}`
    const setup = fixture.engine(scope("setup"))
    freshSchema(setup, registry.metadata)

    const seeded = async () => {
      await using session = new AsyncSession(setup)
      await session.execute(text("DELETE FROM cb_counters"))
      session.add(new Counter({ id: 1, value: 0 }))
      session.add(new Counter({ id: 2, value: 0 }))
      await session.commit()
    }

    /** Sockets of a scope still open at the stand-in, once they have had time to close. */
    const openSocketsOf = async (name: string) => {
      for (let tries = 0; tries < 40; tries++) {
        const { openSockets } = (await fixture.stats(name)) as OpenSockets
        if (openSockets === 0) return 0
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      return ((await fixture.stats(name)) as OpenSockets).openSockets
    }

    /** An UPDATE of every row, failing after 2 s on a lock instead of waiting for ever. */
    const updateAllRows = async () => {
      await using connection = setup.connect()
      await connection.batch([
        text("SET LOCAL lock_timeout = '2s'"),
        text("UPDATE cb_counters SET value = value + 1"),
      ])
    }

    it("two FOR UPDATE reads at once share one transaction; close() leaves no lock behind", async () => {
      await seeded()
      const name = scope("two-locks")
      const session = new AsyncSession(fixture.engine(name))
      const [first, second] = await Promise.all([
        session.scalars(select(Counter).where(Counter.id.eq(1)).forUpdate()),
        session.scalars(select(Counter).where(Counter.id.eq(2)).forUpdate()),
      ])
      expect([first.one().id, second.one().id]).toEqual([1, 2])
      expect(session.inTransaction()).toBe(true)
      expect(((await fixture.stats(name)) as OpenSockets).wsConnections).toBe(1)
      await session.close()
      expect(await openSocketsOf(name)).toBe(0)
      await updateAllRows()
    })

    it("a FOR UPDATE read and a flush at once share one transaction", async () => {
      await seeded()
      const name = scope("read-and-flush")
      const session = new AsyncSession(fixture.engine(name))
      const counter = (await session.get(Counter, 1)) as Counter
      counter.value = 5
      await Promise.all([
        session.scalars(select(Counter).where(Counter.id.eq(2)).forUpdate()),
        session.flush(),
      ])
      expect(((await fixture.stats(name)) as OpenSockets).wsConnections).toBe(1)
      await session.commit()
      await session.close()
      expect(await openSocketsOf(name)).toBe(0)
      await updateAllRows()
      await using check = new AsyncSession(setup)
      expect((await check.get(Counter, 1))?.value).toBe(6)
    })

    it("an explicit begin() while another is opening is refused, and nothing is left open", async () => {
      const name = scope("two-begins")
      const connection = fixture.engine(name).connect()
      const outcomes = await Promise.allSettled([connection.begin(), connection.begin()])
      expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected"])
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidRequestError)
      await connection.close()
      expect(await openSocketsOf(name)).toBe(0)
    })

    if (fixture.name === "neon-websocket") {
      it("two reads at once on a fresh connection open one socket", async () => {
        await seeded()
        const name = scope("two-gets")
        const session = new AsyncSession(fixture.engine(name))
        const [one, two] = await Promise.all([session.get(Counter, 1), session.get(Counter, 2)])
        expect([one?.id, two?.id]).toEqual([1, 2])
        expect(((await fixture.stats(name)) as OpenSockets).wsConnections).toBe(1)
        await session.close()
        expect(await openSocketsOf(name)).toBe(0)
      })
    }
  })
}
