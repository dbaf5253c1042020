// errorHandler() logged only the 500s: a commit whose answer was lost (503 outcome_unknown) and an
// unreachable database (503 unavailable) left no line in the log. The operator, the one who must find
// out whether the commit was applied, could not tell which request it was, nor that the database was
// unreachable at all. Every 5xx answer is logged now; the client's errors (4xx) still are not.
import { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { dbSession, errorHandler, type SessionVariables } from "../../src/hono.ts"
import { text } from "../../src/index.ts"
import { type FaultRig, NOTHING_OPEN, startFaultRig } from "../reliability/fault-rig.ts"

type Env = { Variables: SessionVariables }

describe("errorHandler() logs the 503s", () => {
  let rig: FaultRig
  beforeAll(async () => {
    rig = await startFaultRig()
  }, 60_000)
  afterAll(() => rig?.stop())

  for (const transport of ["neon-http", "libsql-http"] as const) {
    it(`${transport}: a lost commit and a failed read are each one log line; a 404 none`, async () => {
      const scope = `h7-logged-${transport}`
      const engine = rig.engine(transport, scope)
      await engine.execute(text("CREATE TABLE IF NOT EXISTS h7_logged (x integer)"))
      const logged: string[] = []
      const app = new Hono<Env>()
      app.use(dbSession<Env>({ engine: () => engine }))
      app.onError(errorHandler({ log: (message) => logged.push(message) }))
      app.get("/read", async (c) => {
        rig.proxyOf(transport).arm("fail", { scope })
        return c.json((await c.var.session.execute(text("SELECT x FROM h7_logged"))).all())
      })
      app.post("/write", async (c) => {
        rig.proxyOf(transport).arm("cut", { scope })
        await c.var.session.execute(text("INSERT INTO h7_logged (x) VALUES (1)"))
        return c.json({}, 201)
      })
      app.get("/missing", (c) => c.json({}, 404))

      expect((await app.request("/read")).status).toBe(503)
      expect((await app.request("/write", { method: "POST" })).status).toBe(503)
      expect((await app.request("/missing")).status).toBe(404)
      expect(logged).toHaveLength(2)
      expect(logged[0]).toMatch(/^GET \/read failed: ConnectionError: /)
      expect(logged[1]).toMatch(/^POST \/write failed: UnknownOutcomeError: /)
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }
})
