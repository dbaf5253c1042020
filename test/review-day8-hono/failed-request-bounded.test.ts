// A request whose handler failed while the database was silent: dbSession() rolled its session back and
// then closed it. The rollback waited behind the statement the handler had given up on (a Promise.race
// with a timeout), or went to a socket that no longer answered, with no bound (requestTimeoutMs is off
// by default): the request never ended, though close() is bounded by closeTimeoutMs. Now the close
// itself rolls back what was not committed, within closeTimeoutMs; nothing is stored, nothing left open.
import { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { dbSession, errorHandler, type SessionVariables } from "../../src/hono.ts"
import { text } from "../../src/index.ts"
import {
  FAULTED_TRANSPORTS,
  type FaultRig,
  HANG_DEADLINE_MS,
  NOTHING_OPEN,
  SHORT_STREAM_EXPIRY_MS,
  startFaultRig,
  within,
} from "../reliability/fault-rig.ts"

type Env = { Variables: SessionVariables }

describe("a failed request on a silent database", () => {
  let rig: FaultRig
  beforeAll(async () => {
    // Its faults lose libSQL streams' batons: only their expiry ends them before settled().
    rig = await startFaultRig({ streamExpiryMs: SHORT_STREAM_EXPIRY_MS })
  }, 60_000)
  afterAll(() => rig?.stop())

  for (const transport of FAULTED_TRANSPORTS) {
    it(`${transport}: ends, rolled back, instead of waiting for good`, async () => {
      const scope = `h8-bounded-${transport}`
      const engine = rig.engine(transport, scope)
      const table = `h8_bounded_${transport.replace("-", "_")}`
      await engine.execute(text(`CREATE TABLE IF NOT EXISTS ${table} (x integer)`))
      await engine.execute(text(`DELETE FROM ${table}`))
      const proxy = rig.proxyOf(transport)
      const logged: string[] = []
      const app = new Hono<Env>()
      app.use(dbSession<Env>({ engine: () => engine }))
      app.onError(errorHandler({ log: (message) => logged.push(message) }))
      app.post("/", async (c) => {
        const session = c.var.session
        await session.begin()
        await session.execute(text(`INSERT INTO ${table} (x) VALUES (1)`))
        if (c.req.query("then") === "race") {
          proxy.arm("hang", { scope })
          const writing = session.execute(text(`INSERT INTO ${table} (x) VALUES (2)`))
          writing.catch(() => undefined)
          const late = new Promise((_, reject) => setTimeout(() => reject(new Error("too slow")), 100))
          await Promise.race([writing, late])
        }
        proxy.silence()
        throw new Error("the app failed")
      })
      try {
        for (const path of ["/?then=race", "/?then=throw"]) {
          const answer = await within(
            HANG_DEADLINE_MS,
            `POST ${path}`,
            Promise.resolve(app.request(path, { method: "POST" })),
          )
          expect(answer.status).toBe(500)
          proxy.releaseHung()
        }
      } finally {
        proxy.releaseHung()
      }
      expect(logged).toEqual(["POST / failed: Error: too slow", "POST / failed: Error: the app failed"])
      expect(Number((await engine.execute(text(`SELECT count(*) FROM ${table}`))).scalar())).toBe(0)
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }
})
