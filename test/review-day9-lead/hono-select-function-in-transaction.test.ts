// A request that wrote through a function called by SELECT inside a transaction (`SELECT make_order()`
// between BEGIN and COMMIT), then failed after the COMMIT, was answered as if nothing was saved: the
// watch over its engine took every SELECT inside a transaction for a read, so the COMMIT did not mark
// the request applied, and the client was free to send it again, ordering twice. Outside a transaction
// the engine already told such a SELECT from a read (9a851e5); inside one the statement's text is now
// weighed by the same rule. A transaction that only locks (SELECT ... FOR UPDATE) still wrote nothing.
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import ws from "ws"
import { dbSession, errorHandler, type SessionVariables } from "../../src/hono.ts"
import { text } from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"

type Env = { Variables: SessionVariables }

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws)]) {
  describe(`dbSession() on ${fixture.name}: a writing SELECT inside a transaction marks the request`, () => {
    const engine = fixture.engine(`l9-select-fn-tx-${fixture.name}`)

    it("answers 500 applied after SELECT make_order() was committed; internal_error after FOR UPDATE", async () => {
      await engine.execute(text("CREATE TABLE IF NOT EXISTS l9_tx_orders (id serial PRIMARY KEY, n integer)"))
      await engine.execute(
        text(
          "CREATE OR REPLACE FUNCTION l9_tx_make_order(k integer) RETURNS integer LANGUAGE sql AS " +
            "'INSERT INTO l9_tx_orders (n) VALUES (k) RETURNING id'",
        ),
      )
      const app = new Hono<Env>()
      app.use(dbSession<Env>({ engine: () => engine }))
      app.onError(errorHandler({ log: () => undefined }))
      app.post("/:n", async (c) => {
        const session = c.var.session
        await session.begin()
        if (c.req.query("call")) await session.execute(text(`SELECT l9_tx_make_order(${c.req.param("n")})`))
        else await session.execute(text("SELECT id FROM l9_tx_orders WHERE n = -1 FOR UPDATE"))
        await session.commit()
        throw new Error("after the commit")
      })
      const answer = async (path: string) => {
        const response = await app.request(path, { method: "POST" })
        return [response.status, ((await response.json()) as { error: { code: string } }).error.code]
      }
      const marker = Date.now() % 1_000_000
      expect(await answer(`/${marker}`)).toEqual([500, "internal_error"])
      expect(await answer(`/${marker}?call=1`)).toEqual([500, "applied"])
      const stored = await engine.execute(text(`SELECT count(*) FROM l9_tx_orders WHERE n = ${marker}`))
      expect(Number(stored.scalar())).toBe(1)
    })
  })
}
