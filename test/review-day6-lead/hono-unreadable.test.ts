// errorHandler() answered every DataError 422 "A value does not fit its field": the client's fault, and
// not logged. A value the database holds that the model cannot read (an Integer column holding text
// another program wrote, PostgreSQL's 'infinity' in a DateTime) is no fault of the request, and the 422
// hid it from whoever can fix the mapping. It is now a 500, logged; a value the request carried that its
// column cannot hold stays 422.
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import ws from "ws"
import { dbSession, errorHandler, type SessionVariables } from "../../src/hono.ts"
import { AsyncSession, column, DateTime, Integer, model, Registry, String, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Gauge extends model(
  "r6l_hu_gauges",
  { id: column(Integer, { primaryKey: true }), label: column(String(8)), at: column(DateTime) },
  { registry },
) {}
registry.registerModels(Gauge)

type Env = { Variables: SessionVariables }

for (const fixture of [libsqlHttpFixture(), neonFixture("http", ws)]) {
  describe(`errorHandler() on ${fixture.name}`, () => {
    const engine = fixture.engine(`r6l-hu-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const logged: string[] = []
    const app = new Hono<Env>()
      .use(dbSession<Env>({ engine: () => engine, serverTiming: false }))
      .get("/gauges/:id", async (c) => c.json(await c.var.session.get(Gauge, Number(c.req.param("id")))))
      .post("/gauges", async (c) => {
        const { at, ...rest } = await c.req.json()
        c.var.session.add(new Gauge({ ...rest, at: new Date(at) }))
        await c.var.session.commit()
        return c.body(null, 201)
      })
      .onError(errorHandler({ log: (message) => logged.push(message) }))

    it("answers 500, logged, for a value the model cannot read; 422 for one the request carried", async () => {
      // PostgreSQL's 'infinity' (a common "valid until" sentinel), text on SQLite: no Date.
      await engine.execute(text("INSERT INTO r6l_hu_gauges (id, label, at) VALUES (1, 'x', 'infinity')"))
      const read = await app.request("/gauges/1")
      expect(read.status).toBe(500)
      expect(await read.json()).toMatchObject({ error: { code: "internal_error" } })
      expect(logged).toEqual([
        expect.stringMatching(/^GET \/gauges\/1 failed: DataError: .*read from the database/),
      ])

      const written = await app.request("/gauges", {
        method: "POST",
        body: JSON.stringify({ id: 2, label: "much too long", at: "2026-12-07T00:00:00Z" }),
        headers: { "Content-Type": "application/json" },
      })
      expect(written.status).toBe(422)
      expect(logged).toHaveLength(1)
      await using session = new AsyncSession(engine)
      expect(await session.get(Gauge, 2)).toBeNull()
    })
  })
}
