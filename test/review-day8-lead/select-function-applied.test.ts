// A request whose raw SQL wrote through a function (`SELECT make_order()`, as PostgreSQL apps call
// their stored procedures) in autocommit, then failed, was answered 503 `unavailable` with Retry-After:
// dbSession()'s watch over its engine took any SQL beginning with SELECT for a read, and a client that
// retried ran the function twice. The engine tells such a statement from a read (a SELECT that calls
// something may write: 75deaa6), and its statement events now say so (`commits`): the request is
// marked applied. A plain read before the failure still lets the client retry.
import { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { dbSession, errorHandler, type SessionVariables } from "../../src/hono.ts"
import { text } from "../../src/index.ts"
import { type FaultRig, NOTHING_OPEN, startFaultRig } from "../reliability/fault-rig.ts"

type Env = { Variables: SessionVariables }

describe("dbSession(): a writing function called by SELECT marks its request applied", () => {
  let rig: FaultRig
  beforeAll(async () => {
    rig = await startFaultRig()
  }, 60_000)
  afterAll(() => rig?.stop())

  it("neon-http: 500 applied after SELECT make_order(); 503 retry after a plain read", async () => {
    const scope = "l8-select-fn"
    const engine = rig.engine("neon-http", scope)
    await engine.execute(text("CREATE TABLE IF NOT EXISTS l8_orders (id serial PRIMARY KEY, n integer)"))
    await engine.execute(text("DELETE FROM l8_orders"))
    await engine.execute(
      text(
        "CREATE OR REPLACE FUNCTION l8_make_order(k integer) RETURNS integer LANGUAGE sql AS " +
          "'INSERT INTO l8_orders (n) VALUES (k) RETURNING id'",
      ),
    )
    const app = new Hono<Env>()
    app.use(dbSession<Env>({ engine: () => engine }))
    app.onError(errorHandler({ log: () => undefined }))
    app.post("/:n", async (c) => {
      const s = c.var.session
      const n = Number(c.req.param("n"))
      if (c.req.query("call")) await s.execute(text(`SELECT l8_make_order(${n})`))
      else await s.execute(text("SELECT id FROM l8_orders"))
      rig.proxyOf("neon-http").arm("fail", { scope })
      await s.execute(text("SELECT id FROM l8_orders"))
      return c.json({}, 201)
    })
    const answer = async (path: string) => {
      const r = await app.request(path, { method: "POST" })
      const body = (await r.json()) as { error: { code: string } }
      return [r.status, body.error.code, r.headers.get("retry-after")]
    }
    expect(await answer("/1")).toEqual([503, "unavailable", "1"])
    expect(await answer("/2?call=1")).toEqual([500, "applied", null])
    const stored = (await engine.execute(text("SELECT n FROM l8_orders"))).all()
    expect(stored.map(([n]) => Number(n))).toEqual([2])
    expect(await rig.settled()).toEqual(NOTHING_OPEN)
  })
})
