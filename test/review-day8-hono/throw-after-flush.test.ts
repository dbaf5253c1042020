// A handler that flushed (its writes sent inside the transaction) and then threw: dbSession() rolls the
// transaction back and closes its connection before the answer leaves; nothing is stored, nothing left
// open at the database (no WebSocket backend, no libSQL stream), and the answer is the failure's own (a
// 500 internal_error, or the handler's HttpError), never 'applied': nothing was committed. Also when
// the client has gone (an aborted request): Hono under Node runs the handler to its end all the same.
import { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { dbSession, errorHandler, HttpError, type SessionVariables } from "../../src/hono.ts"
import { type AsyncSession, column, Integer, model, Registry, text } from "../../src/index.ts"
import { FAULTED_TRANSPORTS, type FaultRig, NOTHING_OPEN, startFaultRig } from "../reliability/fault-rig.ts"

const registry = new Registry()
class Flushed extends model("h8_flushed", { id: column(Integer, { primaryKey: true }) }, { registry }) {}
registry.registerModels(Flushed)
type Env = { Variables: SessionVariables }

describe("a handler that throws after a flush, before any commit", () => {
  let rig: FaultRig
  beforeAll(async () => {
    rig = await startFaultRig()
  }, 60_000)
  afterAll(() => rig?.stop())

  for (const transport of FAULTED_TRANSPORTS) {
    it(`${transport}: is rolled back and released, and answered as its failure`, async () => {
      const engine = rig.engine(transport, `h8-flushed-${transport}`)
      await engine.execute(text("CREATE TABLE IF NOT EXISTS h8_flushed (id integer PRIMARY KEY)"))
      await engine.execute(text("DELETE FROM h8_flushed"))
      let held: AsyncSession | undefined
      const app = new Hono<Env>()
      app.use(dbSession<Env>({ engine: () => engine, commit: true }))
      const logged: string[] = []
      app.onError(errorHandler({ log: (message) => logged.push(message) }))
      app.post("/:id", async (c) => {
        held = c.var.session
        c.var.session.add(new Flushed({ id: Number(c.req.param("id")) }))
        await c.var.session.flush()
        // The row is there, inside the transaction.
        if (Number(await c.var.session.scalar(text("SELECT count(*) FROM h8_flushed"))) !== 1)
          throw new Error("not flushed")
        if (c.req.query("as") === "http") throw new HttpError(403, "forbidden", "not yours")
        throw new Error("the app failed")
      })
      const answer = async (path: string) => {
        const r = await app.request(path, { method: "POST" })
        return [r.status, ((await r.json()) as { error: { code: string } }).error.code]
      }
      expect(await answer("/1")).toEqual([500, "internal_error"])
      expect(logged).toEqual(["POST /1 failed: Error: the app failed"])
      expect(held?.inTransaction()).toBe(false)
      expect(await answer("/2?as=http")).toEqual([403, "forbidden"])
      // The client gone before the answer: the handler still ends, and its session with it.
      const gone = new AbortController()
      gone.abort()
      await Promise.resolve(app.request("/3", { method: "POST", signal: gone.signal })).catch(() => undefined)
      expect(Number((await engine.execute(text("SELECT count(*) FROM h8_flushed"))).scalar())).toBe(0)
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }
})
