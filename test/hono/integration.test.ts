// edgealchemy/hono under the ways real apps use it: dbSession(), dbReadSession(), Server-Timing,
// errorHandler(); the cases an attack found wrong failed before their fixes.
import { Hono } from "hono"
import { HTTPException } from "hono/http-exception"
import { stream } from "hono/streaming"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import ws from "ws"
import { dbSession, errorHandler, type SessionVariables } from "../../src/hono.ts"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  model,
  Registry,
  String,
  select,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import {
  type FaultRig,
  NOTHING_OPEN,
  SHORT_STREAM_EXPIRY_MS,
  startFaultRig,
} from "../reliability/fault-rig.ts"

const registry = new Registry()
class HnUser extends model(
  "hn_users",
  {
    id: column(Integer, { primaryKey: true }),
    username: column(String(20), { unique: true }),
  },
  { registry },
) {}
registry.registerModels(HnUser)

type Env = { Variables: SessionVariables }
const DB_ENTRY = /db;desc="(\d+) round trips, (\d+) statements"/

/** errorHandler() without its console output: these tests provoke errors on purpose. */
const quietErrors = () => errorHandler({ log: () => undefined })

async function names(engine: ReturnType<TransportFixture["engine"]>): Promise<string[]> {
  await using s = new AsyncSession(engine)
  return (await s.execute(select(HnUser.username).orderBy(HnUser.username))).all().map(([u]) => u as string)
}

async function clear(engine: ReturnType<TransportFixture["engine"]>) {
  await using s = new AsyncSession(engine)
  await s.execute(deleteFrom(HnUser), { synchronizeSession: false })
}

const fixtures: TransportFixture[] = [libsqlHttpFixture(), neonFixture("http", ws)]
for (const fixture of fixtures) {
  describe(`hono on ${fixture.name}`, () => {
    const engine = fixture.engine(`hn-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    function app(commit: boolean) {
      const a = new Hono<Env>()
      a.use(dbSession<Env>({ engine: () => engine, commit }))
      a.onError(quietErrors())
      return a
    }

    it("commit:true, handler throws after flush: nothing stored", async () => {
      await clear(engine)
      const a = app(true)
      a.post("/", async (c) => {
        c.var.session.add(new HnUser({ username: "thrower" }))
        await c.var.session.flush()
        throw new HTTPException(400, { message: "nope" })
      })
      const r = await a.request("/", { method: "POST" })
      expect(r.status).toBe(400)
      expect(await names(engine)).toEqual([])
    })

    it("commit:true, handler answers 422 without throwing: nothing stored", async () => {
      await clear(engine)
      const a = app(true)
      a.post("/", async (c) => {
        c.var.session.add(new HnUser({ username: "four22" }))
        return c.json({ error: "bad" }, 422)
      })
      const r = await a.request("/", { method: "POST" })
      expect(r.status).toBe(422)
      expect(await names(engine)).toEqual([])
    })

    it("commit:true, handler answers 201: stored; already committed: no extra round trip", async () => {
      await clear(engine)
      const a = app(true)
      a.post("/auto", async (c) => {
        c.var.session.add(new HnUser({ username: "auto" }))
        return c.json({}, 201)
      })
      a.post("/self", async (c) => {
        c.var.session.add(new HnUser({ username: "self" }))
        await c.var.session.commit()
        return c.json({}, 201)
      })
      const r1 = await a.request("/auto", { method: "POST" })
      const r2 = await a.request("/self", { method: "POST" })
      expect([r1.status, r2.status]).toEqual([201, 201])
      expect(DB_ENTRY.exec(r2.headers.get("server-timing") ?? "")?.[1]).toBe("1")
      expect(await names(engine)).toEqual(["auto", "self"])
    })

    it("commit:true, the automatic commit fails (duplicate): 409, Server-Timing kept, handler's cookie/Location dropped", async () => {
      await clear(engine)
      const a = app(true)
      a.post("/", async (c) => {
        c.var.session.add(new HnUser({ username: "dup" }))
        c.header("Location", "/users/1")
        c.header("Set-Cookie", "sid=logged-in")
        c.header("Cache-Control", "public, max-age=3600")
        return c.json({ ok: true }, 201)
      })
      expect((await a.request("/", { method: "POST" })).status).toBe(201)
      const r = await a.request("/", { method: "POST" })
      const body = await r.text()
      expect(r.status).toBe(409)
      expect(body).not.toMatch(/INSERT|hn_users|sqlite|constraint failed/i)
      expect(r.headers.get("server-timing")).toMatch(DB_ENTRY)
      expect({
        location: r.headers.get("location"),
        cookie: r.headers.get("set-cookie"),
        cache: r.headers.get("cache-control"),
      }).toEqual({ location: null, cookie: null, cache: null })
    })

    it("Server-Timing counts each request alone under concurrency", async () => {
      const a = app(false)
      a.get("/:n", async (c) => {
        const n = Number(c.req.param("n"))
        for (let i = 0; i < n; i++) {
          await c.var.session.execute(text("SELECT 1"))
          await new Promise((r) => setTimeout(r, Math.random() * 5))
        }
        return c.text(`${n}`)
      })
      const ns = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 0, 7]
      const rs = await Promise.all(ns.map((n) => a.request(`/${n}`)))
      const counts = rs.map((r) => Number(DB_ENTRY.exec(r.headers.get("server-timing") ?? "")?.[1]))
      expect(counts).toEqual(ns)
    })

    it("the session is per request under concurrency", async () => {
      const a = app(false)
      const seen = new Set<AsyncSession>()
      a.get("/", async (c) => {
        const s = c.var.session
        await new Promise((r) => setTimeout(r, 5))
        await c.var.session.execute(text("SELECT 1"))
        expect(c.var.session).toBe(s)
        seen.add(s)
        return c.text("ok")
      })
      await Promise.all(Array.from({ length: 10 }, () => a.request("/")))
      expect(seen.size).toBe(10)
    })

    it("waitUntil(commit) issued by the handler is not cut off by close()", async () => {
      await clear(engine)
      const a = app(false)
      const waits: Promise<unknown>[] = []
      a.post("/", async (c) => {
        c.var.session.add(new HnUser({ username: "later" }))
        c.executionCtx.waitUntil(c.var.session.commit())
        return c.json({}, 202)
      })
      const ctx = {
        waitUntil: (p: Promise<unknown>) => waits.push(p),
        passThroughOnException() {},
        props: {},
      }
      const r = await a.request("/", { method: "POST" }, {}, ctx as never)
      expect(r.status).toBe(202)
      const settled = await Promise.allSettled(waits)
      expect(settled.map((s) => (s.status === "rejected" ? String(s.reason) : "ok"))).toEqual(["ok"])
      expect(await names(engine)).toEqual(["later"])
    })

    it("streamed response: a query in the stream finds the session closed (documented)", async () => {
      const a = app(false)
      a.get("/", (c) =>
        stream(
          c,
          async (s) => {
            await new Promise((r) => setTimeout(r, 10))
            const rows = await c.var.session.execute(text("SELECT 1"))
            await s.write(`rows ${rows.all().length}`)
          },
          async (err, s) => {
            await s.write(`error ${err.message}`)
          },
        ),
      )
      const r = await a.request("/")
      const body = await r.text()
      expect(body).toMatch(/^error c\.var\.session was closed when the request's handlers returned/)
    })
  })
}

describe("hono with faults", () => {
  let rig: FaultRig
  beforeAll(async () => {
    // Its faults lose libSQL streams' batons: only their expiry ends them before settled().
    rig = await startFaultRig({ streamExpiryMs: SHORT_STREAM_EXPIRY_MS })
  }, 60_000)
  afterAll(() => rig?.stop())

  for (const transport of ["neon-websocket", "libsql-http", "neon-http"] as const) {
    it(`${transport}: a commit whose answer is lost stays 503 outcome_unknown`, async () => {
      const scope = `hn-unknown-${transport}`
      const engine = rig.engine(transport, scope)
      const serial = transport === "libsql-http" ? "integer primary key" : "serial primary key"
      await engine.execute(
        text(`CREATE TABLE IF NOT EXISTS hn_users (id ${serial}, username varchar(20) unique)`),
      )
      const a = new Hono<Env>()
      a.use(dbSession<Env>({ engine: () => engine }))
      a.onError(quietErrors())
      a.post("/", async (c) => {
        c.var.session.add(new HnUser({ username: `u-${transport}` }))
        await c.var.session.flush()
        rig.proxyOf(transport).arm("cut", { scope })
        await c.var.session.commit()
        return c.json({}, 201)
      })
      const r = await a.request("/", { method: "POST" })
      const body = (await r.json()) as { error: { code: string } }
      expect([r.status, body.error.code]).toEqual([503, "outcome_unknown"])
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }

  async function setup(transport: "neon-websocket" | "libsql-http" | "neon-http", scope: string) {
    const engine = rig.engine(transport, scope)
    const serial = transport === "libsql-http" ? "integer primary key" : "serial primary key"
    await engine.execute(
      text(`CREATE TABLE IF NOT EXISTS hn_users (id ${serial}, username varchar(20) unique)`),
    )
    await engine.execute(text(`DELETE FROM hn_users`))
    return engine
  }
  const stored = async (transport: "neon-websocket" | "libsql-http" | "neon-http") =>
    (await rig.inspect(transport).execute(text(`SELECT username FROM hn_users ORDER BY username`)))
      .all()
      .map(([u]) => u)

  for (const transport of ["neon-websocket", "libsql-http", "neon-http"] as const) {
    it(`${transport}: the closing rollback fails after a 200: answer stays 200 with Server-Timing`, async () => {
      const scope = `hn-closefail-${transport}`
      const engine = await setup(transport, scope)
      const a = new Hono<Env>()
      a.use(dbSession<Env>({ engine: () => engine }))
      a.onError(quietErrors())
      a.get("/", async (c) => {
        c.var.session.add(new HnUser({ username: "pending" }))
        await c.var.session.flush()
        rig.proxyOf(transport).arm("fail", { scope })
        return c.json({ ok: true }, 200)
      })
      const r = await a.request("/")
      expect([r.status, r.headers.get("server-timing") !== null]).toEqual([200, true])
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })

    it(`${transport}: waitUntil(commit) after a flush, racing close()`, async () => {
      const scope = `hn-wait-${transport}`
      const engine = await setup(transport, scope)
      const a = new Hono<Env>()
      a.use(dbSession<Env>({ engine: () => engine }))
      a.onError(quietErrors())
      const waits: Promise<unknown>[] = []
      a.post("/", async (c) => {
        c.var.session.add(new HnUser({ username: "waited" }))
        await c.var.session.flush()
        c.executionCtx.waitUntil(c.var.session.commit())
        return c.json({}, 202)
      })
      const ctx = {
        waitUntil: (p: Promise<unknown>) => waits.push(p),
        passThroughOnException() {},
        props: {},
      }
      const r = await a.request("/", { method: "POST" }, {}, ctx as never)
      expect(r.status).toBe(202)
      const settled = await Promise.allSettled(waits)
      const outcome = settled.map((s) =>
        s.status === "rejected" ? `${s.reason.name}: ${s.reason.message}` : "ok",
      )
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
      expect({ outcome, rows: await stored(transport) }).toEqual({ outcome: ["ok"], rows: ["waited"] })
    })

    it(`${transport}: handler throws while its own query is in flight: nothing left open`, async () => {
      const scope = `hn-inflight-${transport}`
      const engine = await setup(transport, scope)
      const a = new Hono<Env>()
      a.use(dbSession<Env>({ engine: () => engine }))
      a.onError(quietErrors())
      const inflight: Promise<unknown>[] = []
      a.get("/", async (c) => {
        await c.var.session.begin()
        const q = c.var.session.execute(
          text(transport === "libsql-http" ? "SELECT 1" : "SELECT pg_sleep(0.3)"),
        )
        inflight.push(q)
        await Promise.all([q, Promise.reject(new HTTPException(404, { message: "gone" }))])
        return c.text("x")
      })
      const r = await a.request("/")
      expect(r.status).toBe(404)
      // The query the handler abandoned settles, one way or the other.
      await Promise.allSettled(inflight)
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }
})

describe("hono error mapping on PostgreSQL (websocket)", () => {
  const fixture = neonFixture("websocket", ws)
  const engine = fixture.engine(`hn-pg-${Date.now().toString(36)}`)
  freshSchema(engine, registry.metadata)

  it("a row lock the request cannot take now (55P03, NOWAIT / lock_timeout) is 503 retry, not 500", async () => {
    await engine.execute(text(`INSERT INTO hn_users (username) VALUES ('locked-row')`))
    await using holder = engine.connect()
    await holder.begin()
    await holder.execute(text(`SELECT * FROM hn_users WHERE username = 'locked-row' FOR UPDATE`))
    const a = new Hono<Env>()
    a.use(dbSession<Env>({ engine: () => engine }))
    a.onError(quietErrors())
    a.get("/nowait", async (c) => {
      await c.var.session.begin()
      await c.var.session.execute(
        text(`SELECT * FROM hn_users WHERE username = 'locked-row' FOR UPDATE NOWAIT`),
      )
      return c.text("ok")
    })
    a.get("/timeout", async (c) => {
      await c.var.session.begin()
      await c.var.session.execute(text(`SET LOCAL lock_timeout = '50ms'`))
      await c.var.session.execute(text(`UPDATE hn_users SET username = 'x' WHERE username = 'locked-row'`))
      return c.text("ok")
    })
    const statuses = []
    for (const path of ["/nowait", "/timeout"]) {
      const r = await a.request(path)
      statuses.push([path, r.status, ((await r.json()) as { error: { code: string } }).error.code])
    }
    expect(statuses).toEqual([
      ["/nowait", 503, "unavailable"],
      ["/timeout", 503, "unavailable"],
    ])
  })

  it("a duplicate on a unique expression index: the 409 message names no SQL fragment", async () => {
    await engine.execute(
      text(`CREATE UNIQUE INDEX IF NOT EXISTS hn_users_lower ON hn_users (lower(username))`),
    )
    const a = new Hono<Env>()
    a.use(dbSession<Env>({ engine: () => engine, commit: true }))
    a.onError(quietErrors())
    a.post("/:name", async (c) => {
      c.var.session.add(new HnUser({ username: c.req.param("name") }))
      return c.json({}, 201)
    })
    expect((await a.request("/Alice", { method: "POST" })).status).toBe(201)
    const r = await a.request("/alice", { method: "POST" })
    const body = (await r.json()) as { error: { message: string } }
    expect(r.status).toBe(409)
    expect(body.error.message).not.toMatch(/\(|::/)
  })

  it("two nested dbSession()s: one db entry, the handler's session committed", async () => {
    const a = new Hono<Env>()
    a.use(dbSession<Env>({ engine: () => engine, commit: true }))
    a.use("/api/*", dbSession<Env>({ engine: () => engine, commit: true }))
    a.onError(quietErrors())
    a.post("/api/:name", async (c) => {
      c.var.session.add(new HnUser({ username: c.req.param("name") }))
      return c.json({}, 201)
    })
    const r = await a.request("/api/nested", { method: "POST" })
    expect(r.status).toBe(201)
    expect(r.headers.get("server-timing")?.match(/\bdb;/g)?.length).toBe(1)
  })

  it("the README app: a malformed JSON body is 400, a too-long username 422 with no SQL", async () => {
    const a = new Hono<Env>()
    a.use(dbSession<Env>({ engine: () => engine }))
    a.onError(quietErrors())
    a.post("/users", async (c) => {
      const { username } = await c.req.json<{ username: string }>()
      const user = new HnUser({ username })
      c.var.session.add(user)
      await c.var.session.commit()
      return c.json({ id: user.id, username }, 201)
    })
    const long = await a.request("/users", {
      method: "POST",
      body: JSON.stringify({ username: "x".repeat(40) }),
      headers: { "content-type": "application/json" },
    })
    const longBody = await long.text()
    const bad = await a.request("/users", {
      method: "POST",
      body: "{nope",
      headers: { "content-type": "application/json" },
    })
    expect(long.status).toBe(422)
    expect(longBody).not.toMatch(/INSERT|xxxxx/)
    expect(bad.status).toBe(400)
  })
})
