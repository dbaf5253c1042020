// A dbSession() under another (one on `*`, one on `/analytics/*`) serves its routes the outer one's
// session. One that named another database (its own `engine`) or other session options had them
// ignored, silently: the handlers of /analytics/* wrote into the main database, which committed them,
// and the analytics database never heard of it. Such a nested dbSession() is now refused, saying why;
// one on the same database with the same options serves as before.
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import { dbSession, errorHandler, type SessionVariables } from "../../src/hono.ts"
import { text } from "../../src/index.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"

type Env = { Variables: SessionVariables }

describe("a nested dbSession() on another engine or with other session options", () => {
  const fixture = libsqlHttpFixture()
  const stamp = Date.now().toString(36)
  const main = fixture.engine(`h8-main-${stamp}`)
  const analytics = fixture.engine(`h8-analytics-${stamp}`)

  async function rows(engine: typeof main): Promise<number> {
    await engine.execute(text("CREATE TABLE IF NOT EXISTS h8_events (x integer)"))
    return Number((await engine.execute(text("SELECT count(*) FROM h8_events"))).scalar())
  }

  function app(inner: Parameters<typeof dbSession<Env>>[0]) {
    const logged: string[] = []
    const hono = new Hono<Env>()
    hono.use(dbSession<Env>({ engine: () => main, commit: true, session: { expireOnCommit: false } }))
    hono.use("/analytics/*", dbSession<Env>(inner))
    hono.onError(errorHandler({ log: (message) => logged.push(message) }))
    hono.post("/analytics/event", async (c) => {
      await c.var.session.execute(text("INSERT INTO h8_events (x) VALUES (1)"))
      return c.json({}, 201)
    })
    return { hono, logged }
  }

  it("refuses another engine: nothing goes to the main database", async () => {
    const [mainBefore, analyticsBefore] = [await rows(main), await rows(analytics)]
    const { hono, logged } = app({
      engine: () => analytics,
      commit: true,
      session: { expireOnCommit: false },
    })
    const answer = await hono.request("/analytics/event", { method: "POST" })
    expect(answer.status).toBe(500)
    expect(logged[0]).toMatch(
      /^POST \/analytics\/event failed: InvalidRequestError: This dbSession\(\) runs under another, whose session \(on http:\/\/.*h8-main-.*\) is the c\.var\.session its handlers get, not one on http:\/\/.*h8-analytics-/,
    )
    // Before: 201, and the row in the main database.
    expect([await rows(main), await rows(analytics)]).toEqual([mainBefore, analyticsBefore])
  })

  it("refuses other session options", async () => {
    const { hono, logged } = app({ engine: () => main, session: { expireOnCommit: true } })
    expect((await hono.request("/analytics/event", { method: "POST" })).status).toBe(500)
    expect(logged[0]).toMatch(
      /its own session options would be ignored; give the outer dbSession\(\) the options/,
    )
  })

  it("serves the same engine with the same options as before", async () => {
    const before = await rows(main)
    const { hono } = app({ engine: () => main, session: { expireOnCommit: false } })
    expect((await hono.request("/analytics/event", { method: "POST" })).status).toBe(201)
    expect(await rows(main)).toBe(before + 1)
    // An inner one that says nothing of session options takes the outer one's.
    const bare = app({ engine: () => main })
    expect((await bare.hono.request("/analytics/event", { method: "POST" })).status).toBe(201)
    expect(await rows(main)).toBe(before + 2)
  })
})
