// dbSession()/dbReadSession() options from JavaScript callers, JSON or casts: refused when the app is
// set up. Before, an option they did not know was ignored, so `dbSession({ engine, autoCommit: true })`
// (or SQLAlchemy-minded `commit_on_success`) answered 200 and dropped every handler's writes; an engine
// given as itself rather than a function failed each request with "options.engine is not a function".
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import ws from "ws"
import { dbReadSession, dbSession, type SessionVariables } from "../../src/hono.ts"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  model,
  Registry,
  String,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Note extends model(
  "r5i_hono_notes",
  { id: column(Integer, { primaryKey: true }), body: column(String(40)) },
  { registry },
) {}
registry.registerModels(Note)

type Env = { Variables: SessionVariables }
const cast = (options: object) => options as never

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`dbSession() options on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5i-hono-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it.each([
      [
        "autoCommit",
        { engine: () => engine, autoCommit: true },
        /dbSession\(\): unknown option "autoCommit"; it takes engine, serverTiming, commit, session/,
      ],
      [
        "commit_on_success",
        { engine: () => engine, commit_on_success: true },
        /unknown option "commit_on_success"/,
      ],
      [
        "server_timing",
        { engine: () => engine, server_timing: false },
        /unknown option "server_timing" \(did you mean serverTiming\?\)/,
      ],
      [
        "the engine itself",
        { engine },
        /engine is a function of the request's context that returns the engine .*got object/,
      ],
      ["commit as text", { engine: () => engine, commit: "yes" }, /commit is true or false, got "yes"/],
    ] as const)("refuses %s when the app is set up", (_, options, message) => {
      expect(() => dbSession<Env>(cast(options))).toThrow(InvalidRequestError)
      expect(() => dbSession<Env>(cast(options))).toThrow(message)
    })

    it("refuses dbReadSession()'s commit, which it does not do", () => {
      expect(() => dbReadSession(cast({ engine: () => engine, commit: true }))).toThrow(
        /dbReadSession\(\): unknown option "commit"; it takes engine, serverTiming/,
      )
    })

    it("commits a handler's writes with the options it knows", async () => {
      const app = new Hono<Env>()
      app.use(dbSession<Env>({ engine: () => engine, commit: true, serverTiming: false, session: {} }))
      app.post("/", (c) => {
        c.var.session.add(new Note({ id: 1, body: "kept" }))
        return c.text("ok")
      })
      expect((await app.request("/", { method: "POST" })).status).toBe(200)
      await using reading = new AsyncSession(engine)
      expect((await reading.scalars(select(Note))).all().map((note) => note.body)).toEqual(["kept"])
    })
  })
}
