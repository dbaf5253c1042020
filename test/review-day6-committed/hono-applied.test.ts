// A POST whose commit was applied, but whose answer held a value the models cannot read (the database
// filled a DateTime with 'infinity'), was answered as a failure: commit() threw a DataError, and the
// handler's 500 said nothing of the row it had written, for the client to send it again. commit() now
// rejects with CommittedButUnreadableError, and errorHandler() answers 500 "applied", logged, saying the
// change was saved and must not be sent again.
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import ws from "ws"
import { dbSession, errorHandler, type SessionVariables } from "../../src/hono.ts"
import { column, DateTime, Integer, model, Registry, String, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Sensor extends model(
  "r6c_ha_sensors",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    at: column(DateTime, { serverDefault: "infinity" }),
  },
  { registry },
) {}
registry.registerModels(Sensor)

type Env = { Variables: SessionVariables }

for (const fixture of [libsqlHttpFixture(), neonFixture("http", ws)]) {
  describe(`errorHandler() of an applied commit on ${fixture.name}`, () => {
    const engine = fixture.engine(`r6c-ha-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const logged: string[] = []
    const app = new Hono<Env>()
      .use(dbSession<Env>({ engine: () => engine, serverTiming: false }))
      .post("/sensors", async (c) => {
        const sensor = new Sensor(await c.req.json())
        c.var.session.add(sensor)
        await c.var.session.commit()
        return c.json({ id: sensor.id }, 201)
      })
      .onError(errorHandler({ log: (message) => logged.push(message) }))

    it("answers 500 'applied', logged, and the row is written once", async () => {
      const answer = await app.request("/sensors", {
        method: "POST",
        body: JSON.stringify({ label: "north" }),
        headers: { "Content-Type": "application/json" },
      })
      expect(answer.status).toBe(500)
      expect(await answer.json()).toEqual({
        error: {
          code: "applied",
          message: "The change was saved, but the answer could not be built; do not send it again",
        },
      })
      expect(logged).toEqual([
        expect.stringMatching(/^POST \/sensors failed: CommittedButUnreadableError: The commit was applied/),
      ])
      const rows = await engine.execute(text("SELECT label FROM r6c_ha_sensors").columns(String(20)))
      expect(rows.rows).toEqual([["north"]])
    })
  })
}
