// AsyncSession.close() while its commit is under way waits for that commit (closing the connection
// between its statements would cut it), but that wait was a fixed 1 s (CLOSE_TIMEOUT_MS), whatever the
// driver's closeTimeoutMs, and then the connection's close waited closeTimeoutMs again for the same
// silent request: a dbSession() request whose commit hung on a silent database held its answer 1 s plus
// closeTimeoutMs (1.3 s here, closeTimeoutMs 300), where the driver was told 300 ms. close() now gives
// the commit and the connection's close one deadline of closeTimeoutMs together.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AsyncSession, ConnectionError, column, Integer, model, Registry, text } from "../../src/index.ts"
import { CLOSE_TIMEOUT_MS, type FaultRig, NOTHING_OPEN, startFaultRig } from "../reliability/fault-rig.ts"

const registry = new Registry()
class HungNote extends model(
  "h8_hung_notes",
  { id: column(Integer, { primaryKey: true }), n: column(Integer) },
  { registry },
) {}
registry.registerModels(HungNote)

describe("AsyncSession.close() under a commit whose request hangs", () => {
  let rig: FaultRig
  beforeAll(async () => {
    rig = await startFaultRig()
  }, 60_000)
  afterAll(() => rig?.stop())

  for (const transport of ["neon-http", "neon-websocket", "libsql-http"] as const) {
    it(`${transport}: ends within closeTimeoutMs (${CLOSE_TIMEOUT_MS} ms), not 1 s more`, async () => {
      const scope = `h8-hung-${transport}`
      const engine = rig.engine(transport, scope)
      await engine.execute(
        text("CREATE TABLE IF NOT EXISTS h8_hung_notes (id integer PRIMARY KEY, n integer)"),
      )
      const proxy = rig.proxyOf(transport)
      const session = new AsyncSession(engine)
      try {
        session.add(new HungNote({ id: 1, n: 1 }))
        proxy.arm("hang", { scope })
        const committing = session.commit()
        const failed = committing.then(
          () => "committed",
          (error: Error) => error,
        )
        while (proxy.open().hung === 0) await new Promise((resolve) => setTimeout(resolve, 5))
        const started = performance.now()
        await session.close()
        const took = performance.now() - started
        // Before: 1,300 ms and more. A bound, not a measure: 1 s, between the timeout and that, as a
        // loaded machine's close took 638 ms (twice the timeout failed so, on a clean clone of 8f6c6f3).
        expect(took).toBeLessThan(1_000)
        // Its request abandoned: a ConnectionError (an UnknownOutcomeError where the request was the commit).
        expect(await failed).toBeInstanceOf(ConnectionError)
      } finally {
        proxy.releaseHung()
      }
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }

  it("a commit that ends in time is waited for, and committed", async () => {
    const engine = rig.engine("libsql-http", "h8-hung-ends")
    await engine.execute(text("CREATE TABLE IF NOT EXISTS h8_hung_notes (id integer PRIMARY KEY, n integer)"))
    await engine.execute(text("DELETE FROM h8_hung_notes"))
    const session = new AsyncSession(engine)
    session.add(new HungNote({ id: 2, n: 2 }))
    const committing = session.commit()
    // Under way (its request out), not only queued: a commit queued behind close() finds it closed.
    await new Promise((resolve) => setTimeout(resolve, 0))
    await session.close()
    await committing
    const ids = (await engine.execute(text("SELECT id FROM h8_hung_notes"))).all()
    expect(ids.map(([id]) => Number(id))).toEqual([2])
  })
})
