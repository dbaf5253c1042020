// A dbSession() under another (one on `*`, one on `/api/*`) uses the outer one's session, and the outer
// one reports the request's Server-Timing entry. Its own serverTiming was ignored: an app that timed
// only its API (`serverTiming: false` on `*`, `true` on `/api/*`) got no entry there, and one that hid
// the database from its public routes (`false` on `/public/*`) still sent it. The innermost that sets
// it now decides for its routes; the entry counts the whole request's statements.
import { Hono } from "hono"
import { timing } from "hono/timing"
import { describe, expect, it } from "vitest"
import { dbSession, errorHandler, type SessionVariables } from "../../src/hono.ts"
import { text } from "../../src/index.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"

type Env = { Variables: SessionVariables }

describe("nested dbSession()s: serverTiming", () => {
  const engine = libsqlHttpFixture().engine(`h8-timing-${Date.now().toString(36)}`)

  function app(outer: { serverTiming?: boolean }, inner: { serverTiming?: boolean }, withTiming = false) {
    const app = new Hono<Env>()
    if (withTiming) app.use(timing({ total: false }))
    app.use(dbSession<Env>({ engine: () => engine, ...outer }))
    app.use("/api/*", dbSession<Env>({ engine: () => engine, ...inner }))
    app.onError(errorHandler({ log: () => undefined }))
    const read = async (c: { var: SessionVariables }) => {
      await c.var.session.execute(text("SELECT 1"))
      return "ok"
    }
    app.get("/api/x", async (c) => c.text(await read(c)))
    app.get("/other", async (c) => c.text(await read(c)))
    return app
  }
  const timingOf = async (hono: Hono<Env>, path: string) =>
    (await hono.request(path)).headers.get("server-timing")

  it("the inner one's serverTiming: true gives its routes the entry the outer one's false left out", async () => {
    const hono = app({ serverTiming: false }, { serverTiming: true })
    expect(await timingOf(hono, "/api/x")).toMatch(/^db;desc="1 round trips, 1 statements";dur=\d+\.\d$/)
    expect(await timingOf(hono, "/other")).toBeNull()
  })

  it("the inner one's serverTiming: false keeps it off its routes", async () => {
    const hono = app({}, { serverTiming: false })
    expect(await timingOf(hono, "/api/x")).toBeNull()
    expect(await timingOf(hono, "/other")).toMatch(/^db;desc="1 round trips, 1 statements"/)
    // Under hono/timing too: no db entry joins its header.
    const timed = app({}, { serverTiming: false }, true)
    expect(await timingOf(timed, "/api/x")).not.toMatch(/db;/)
    expect(await timingOf(timed, "/other")).toMatch(/db;desc="1 round trips, 1 statements"/)
  })

  it("an inner one that does not say follows the outer one", async () => {
    expect(await timingOf(app({ serverTiming: false }, {}), "/api/x")).toBeNull()
    expect(await timingOf(app({}, {}), "/api/x")).toMatch(/^db;desc="1 round trips, 1 statements"/)
  })

  it("serverTiming is true or false, refused otherwise when the app is set up", () => {
    expect(() => dbSession<Env>({ engine: () => engine, serverTiming: "false" as never })).toThrow(
      /dbSession\(\): serverTiming is true or false, got "false"/,
    )
  })
})
