// Server-Timing from edgealchemy/hono composes with hono/timing: with `timing()` the `db` entry of
// dbSession() joins timing()'s one header beside the app's own metrics and `total`; without it, dbSession()
// writes the header itself. Either way the `db` entry keeps its format, read by devtools and the tests.
import { Hono } from "hono"
import { setMetric, timing } from "hono/timing"
import { describe, expect, inject, it } from "vitest"
import {
  dbReadSession,
  dbSession,
  errorHandler,
  type ReadSessionVariables,
  type SessionVariables,
} from "../../src/hono.ts"
import { AsyncSession, createEngine, ReadSession, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import "../setup/provided.ts"

type Env = { Variables: SessionVariables }

const endpoint = inject("libsql")
const engine = createEngine(`${endpoint.url}/s/hono-server-timing/`, {
  driver: libsql({ authToken: endpoint.authToken }),
})

const DB_ENTRY = /^db;desc="(\d+) round trips, (\d+) statements";dur=\d+\.\d$/

/** The header's entries, split on the commas between them (not those inside a quoted desc). */
function entries(response: Response): string[] {
  return (response.headers.get("server-timing") ?? "").match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []
}

const names = (list: string[]) => list.map((entry) => entry.trim().split(";")[0])

/** An app whose one route runs two queries and adds the app's own metric. */
function app(order: "timing first" | "session first" | "no timing", options: { fail?: boolean } = {}) {
  const app = new Hono<Env>()
  const session = dbSession<Env>({ engine: () => engine })
  if (order === "timing first") app.use(timing(), session)
  else if (order === "session first") app.use(session, timing())
  else app.use(session)
  app.get("/", async (c) => {
    await c.var.session.execute(text("SELECT 1"))
    await c.var.session.execute(text("SELECT 2"))
    if (order !== "no timing") setMetric(c, "app", 4.25, "rendering")
    if (options.fail) throw new Error("boom")
    return c.text("ok")
  })
  app.onError(errorHandler({ log: () => undefined }))
  return app
}

describe("Server-Timing", () => {
  it("without timing(), dbSession() writes the db entry as the header", async () => {
    const list = entries(await app("no timing").request("/"))
    expect(list).toHaveLength(1)
    expect(DB_ENTRY.exec(list[0] ?? "")?.slice(1)).toEqual(["2", "2"])
  })

  it("with timing() before dbSession(), the db entry joins the app's metrics in timing()'s header", async () => {
    const response = await app("timing first").request("/")
    const list = entries(response)
    expect(names(list)).toEqual(["app", "db", "total"])
    expect(list[0]).toBe('app;dur=4.3;desc="rendering"')
    expect(DB_ENTRY.exec(list[1] ?? "")?.slice(1)).toEqual(["2", "2"])
    expect(list[2]).toMatch(/^total;dur=\d+\.\d;desc="Total Response Time"$/)
  })

  it("with timing() after dbSession() (its header already written), the db entry is appended", async () => {
    const list = entries(await app("session first").request("/"))
    expect(names(list)).toEqual(["app", "total", "db"])
    expect(DB_ENTRY.exec(list[2]?.trim() ?? "")?.slice(1)).toEqual(["2", "2"])
  })

  it("reports the db entry beside the app's metrics when the handler fails", async () => {
    const response = await app("timing first", { fail: true }).request("/")
    expect(response.status).toBe(500)
    const list = entries(response)
    expect(names(list)).toEqual(["app", "db", "total"])
    expect(DB_ENTRY.exec(list[1] ?? "")?.slice(1)).toEqual(["2", "2"])
  })

  it("timing({ enabled: false }) hides the whole header, the db entry included", async () => {
    const hidden = new Hono<Env>()
    hidden.use(timing({ enabled: false }), dbSession<Env>({ engine: () => engine }))
    hidden.get("/", async (c) => {
      await c.var.session.execute(text("SELECT 1"))
      return c.text("ok")
    })
    const response = await hidden.request("/")
    expect(response.status).toBe(200)
    expect(response.headers.get("server-timing")).toBeNull()
  })
})

describe("dbReadSession()", () => {
  it("gives each request a ReadSession, closed before the response leaves, with its db entry", async () => {
    type ReadEnv = { Variables: ReadSessionVariables }
    const reader = new Hono<ReadEnv>()
    const sessions: ReadSession[] = []
    reader.use(dbReadSession<ReadEnv>({ engine: () => engine }))
    reader.get("/", async (c) => {
      sessions.push(c.var.session)
      await c.var.session.execute(text("SELECT 1"))
      return c.text(String(c.var.session.inTransaction()))
    })
    const response = await reader.request("/")
    expect(await response.text()).toBe("false")
    expect(DB_ENTRY.exec(entries(response)[0] ?? "")?.slice(1)).toEqual(["1", "1"])
    const [session] = sessions
    expect(session).toBeInstanceOf(ReadSession)
    expect(session).not.toBeInstanceOf(AsyncSession)
    await expect(session?.execute(text("SELECT 1"))).rejects.toThrow(
      "c.var.session was closed when the request's handlers returned",
    )
  })
})
