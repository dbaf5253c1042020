// A second dbSession() under a first (one for `*`, one for `/api/*`) uses the first's session. Before
// the fix, the inner one's `commit: true` was dropped with its own session: under an outer dbSession()
// without commit, a handler under /api answered 201 and its writes were rolled back. And a dbSession()
// under a dbReadSession() handed its handlers the ReadSession, whose missing add() was a bare TypeError.
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import {
  dbReadSession,
  dbSession,
  errorHandler,
  type ReadSessionVariables,
  type SessionVariables,
} from "../../src/hono.ts"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  model,
  Registry,
  String,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class NsUser extends model(
  "ns_users",
  { id: column(Integer, { primaryKey: true }), username: column(String(20)) },
  { registry },
) {}
registry.registerModels(NsUser)
type Env = { Variables: SessionVariables }

describe("nested dbSession()s on libSQL (HTTP)", () => {
  const engine = libsqlHttpFixture().engine(`ns-${Date.now().toString(36)}`)
  freshSchema(engine, registry.metadata)

  async function stored(): Promise<string[]> {
    await using s = new AsyncSession(engine)
    return (await s.execute(select(NsUser.username).orderBy(NsUser.username))).all().map(([u]) => u as string)
  }

  function app(logged: string[] = []) {
    const a = new Hono<Env>()
    a.use(dbSession<Env>({ engine: () => engine }))
    a.use("/api/*", dbSession<Env>({ engine: () => engine, commit: true }))
    a.onError(errorHandler({ log: (message) => logged.push(message) }))
    a.post("/api/:name", async (c) => {
      c.var.session.add(new NsUser({ username: c.req.param("name") }))
      if (c.req.query("fail") === "throw") throw new Error("after add")
      if (c.req.query("fail") === "answer") return c.json({ error: "refused" }, 422)
      return c.json({}, 201, { "Server-Timing": "app;dur=1" })
    })
    a.post("/plain/:name", async (c) => {
      c.var.session.add(new NsUser({ username: c.req.param("name") }))
      return c.json({}, 201)
    })
    return a
  }

  it("the inner commit: true commits the outer's session after a success, once", async () => {
    await using s = new AsyncSession(engine)
    await s.execute(deleteFrom(NsUser), { synchronizeSession: false })
    const r = await app().request("/api/inner", { method: "POST" })
    expect(r.status).toBe(201)
    expect(await stored()).toEqual(["inner"])
    // The outer reports the one db entry, beside the handler's own.
    expect(r.headers.get("server-timing")?.match(/\bdb;/g)?.length).toBe(1)
  })

  it("nothing is committed after a throw, a 4xx answer, or outside the inner's routes", async () => {
    await using s = new AsyncSession(engine)
    await s.execute(deleteFrom(NsUser), { synchronizeSession: false })
    const logged: string[] = []
    const a = app(logged)
    expect((await a.request("/api/thrown?fail=throw", { method: "POST" })).status).toBe(500)
    expect((await a.request("/api/answered?fail=answer", { method: "POST" })).status).toBe(422)
    expect((await a.request("/plain/outer", { method: "POST" })).status).toBe(201)
    expect(await stored()).toEqual([])
    expect(logged).toEqual(["POST /api/thrown failed: Error: after add"])
  })

  it("a dbSession() under a dbReadSession() says so, instead of a TypeError in the handler", async () => {
    type ReadEnv = { Variables: ReadSessionVariables }
    const logged: string[] = []
    const a = new Hono<ReadEnv>()
    a.use(dbReadSession<ReadEnv>({ engine: () => engine }))
    a.use("/admin/*", dbSession<Env>({ engine: () => engine, commit: true }) as never)
    a.onError(errorHandler({ log: (message) => logged.push(message) }))
    let handlerRan = false
    a.post("/admin/x", (c) => {
      handlerRan = true
      return c.json({}, 201)
    })
    const r = await a.request("/admin/x", { method: "POST" })
    expect(r.status).toBe(500)
    expect(handlerRan).toBe(false)
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatch(/dbSession\(\) runs under a dbReadSession\(\).*ReadSession.*cannot write/)
  })
})

describe("dbSession() after a middleware that set its own `session` variable", () => {
  const engine = libsqlHttpFixture().engine(`ns-auth-${Date.now().toString(36)}`)

  for (const [name, middleware] of [
    ["dbSession()", dbSession<Env>({ engine: () => engine, commit: true })],
    ["dbReadSession()", dbReadSession<Env>({ engine: () => engine }) as never],
  ] as const) {
    it(`${name} refuses to hand the handlers an auth session as the database's`, async () => {
      const logged: string[] = []
      const a = new Hono<Env>()
      a.use(async (c, next) => {
        // hono-sessions and others call their per-request session `session` too.
        c.set("session", { userId: 7, get: () => 7 } as never)
        await next()
      })
      a.use(middleware)
      a.onError(errorHandler({ log: (message) => logged.push(message) }))
      let handlerRan = false
      a.get("/", (c) => {
        handlerRan = true
        return c.json({})
      })
      const r = await a.request("/")
      expect([r.status, handlerRan]).toEqual([500, false])
      expect(logged).toHaveLength(1)
      expect(logged[0]).toMatch(/c\.var\.session is already set by another middleware/)
    })
  }
})
