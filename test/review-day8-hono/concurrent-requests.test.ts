// Concurrent requests of one isolate share one engine (engineCache): each gets its own session,
// connection and transaction. Twelve requests at once, each inserting its own row inside its own
// transaction, see only their own uncommitted row, answer with their own statement count in
// Server-Timing, and leave exactly the rows of those that committed; nothing is left open. On
// PostgreSQL (Neon HTTP and WebSocket): SQLite takes one writer at a time, so twelve transactions that
// each write and then wait would queue on its lock rather than run side by side.
import { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { dbSession, errorHandler, HttpError, type SessionVariables } from "../../src/hono.ts"
import { column, Integer, model, Registry, select, text } from "../../src/index.ts"
import { type FaultRig, NOTHING_OPEN, startFaultRig } from "../reliability/fault-rig.ts"

const registry = new Registry()
class Own extends model("h8_own", { id: column(Integer, { primaryKey: true }) }, { registry }) {}
registry.registerModels(Own)
type Env = { Variables: SessionVariables }

describe("concurrent requests on one engine", () => {
  let rig: FaultRig
  beforeAll(async () => {
    rig = await startFaultRig()
  }, 60_000)
  afterAll(() => rig?.stop())

  for (const transport of ["neon-http", "neon-websocket"] as const) {
    it(`${transport}: keep their sessions, transactions and timings apart`, async () => {
      const engine = rig.engine(transport, `h8-own-${transport}`)
      await engine.execute(text("CREATE TABLE IF NOT EXISTS h8_own (id integer PRIMARY KEY)"))
      await engine.execute(text("DELETE FROM h8_own"))
      const app = new Hono<Env>()
      app.use(dbSession<Env>({ engine: () => engine, commit: true }))
      app.onError(errorHandler({ log: () => undefined }))
      app.post("/:id", async (c) => {
        const id = Number(c.req.param("id"))
        const session = c.var.session
        session.add(new Own({ id }))
        await session.flush()
        // Another request's row, flushed or committed meanwhile, is not in this identity map, and an
        // uncommitted one is not visible: only this request's own row, and those committed before it.
        const seen = (await session.scalars(select(Own))).all()
        if (!seen.some((own) => own.id === id)) throw new Error(`${id} does not see its own row`)
        for (const own of seen) if (own.id !== id && own.id % 2 === 0) throw new Error(`${id} saw ${own.id}`)
        // Odd ids fail after the flush: rolled back, never visible to another request.
        if (id % 2 === 0) throw new HttpError(403, "forbidden", "even")
        return c.json({ id, held: [...seen].length }, 201)
      })
      const ids = Array.from({ length: 12 }, (_, i) => i + 1)
      const answers = await Promise.all(
        ids.map(async (id) => {
          const r = await app.request(`/${id}`, { method: "POST" })
          await r.text()
          return [r.status, /(\d+) statements/.exec(r.headers.get("server-timing") ?? "")?.[1]]
        }),
      )
      // BEGIN, INSERT, SELECT, then COMMIT (odd; the failed ones are rolled back by the close, which
      // ends the socket): each its own count.
      expect(answers).toEqual(ids.map((id) => (id % 2 === 0 ? [403, "3"] : [201, "4"])))
      const stored = (await engine.execute(text("SELECT id FROM h8_own ORDER BY id"))).all()
      expect(stored.map(([id]) => Number(id))).toEqual(ids.filter((id) => id % 2 === 1))
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }
})
