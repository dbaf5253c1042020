// A database that refuses the app's credentials (a wrong or rotated DATABASE_AUTH_TOKEN: libSQL's
// HTTP 401) was answered 503 "unavailable; retry shortly" with Retry-After: 1, as an unreachable
// database is. No retry can succeed until an operator fixes the secret, and clients told to retry kept
// the endpoint busy; the answer is a 500 now, logged, saying nothing of the credentials to the client.
import { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { translateNeonError } from "../../src/drivers/neon/errors.ts"
import { dbReadSession, errorHandler, type ReadSessionVariables, toHttpError } from "../../src/hono.ts"
import { column, createEngine, Integer, model, Registry, select } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

const registry = new Registry()
class Note extends model("r7l_notes", { id: column(Integer, { primaryKey: true }) }, { registry }) {}
registry.registerModels(Note)

describe("a database that refuses the app's credentials, behind errorHandler()", () => {
  let local: LibsqlLocal
  beforeAll(async () => {
    local = await startLibsqlLocal({ authToken: "the-right-token" })
  })
  afterAll(() => local?.stop())

  it("is a logged 500 with no Retry-After, not 503 'retry shortly'", async () => {
    const logged: unknown[] = []
    const app = new Hono<{ Variables: ReadSessionVariables }>()
    const engine = createEngine(local.url, { driver: libsql({ authToken: "a-stale-token" }) })
    app.use(dbReadSession({ engine: () => engine }))
    app.onError(errorHandler({ log: (_message, error) => logged.push(error) }))
    app.get("/notes", async (c) => c.json((await c.var.session.scalars(select(Note))).all()))
    const answer = await app.request("/notes")
    expect(answer.status).toBe(500)
    expect(answer.headers.get("Retry-After")).toBeNull()
    const body = (await answer.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe("internal_error")
    expect(body.error.message).not.toMatch(/token|401|credential/i)
    expect(logged).toHaveLength(1)
  })

  it("so is PostgreSQL's refusal of a password (28P01) as the Neon driver reports it; a refused connection stays 503", async () => {
    const refused = translateNeonError(
      { message: 'password authentication failed for user "app"', code: "28P01" },
      { sql: "SELECT 1", params: [] },
    )
    expect(refused.name).toBe("ConnectionError")
    expect(toHttpError(refused)).toBeUndefined()
    const unreachable = translateNeonError(new TypeError("fetch failed"), { sql: "SELECT 1", params: [] })
    expect(unreachable.name).toBe("ConnectionError")
    expect(toHttpError(unreachable)?.status).toBe(503)
    const app = new Hono<{ Variables: ReadSessionVariables }>()
    const engine = createEngine("http://127.0.0.1:9", { driver: libsql({ requestTimeoutMs: 2_000 }) })
    app.use(dbReadSession({ engine: () => engine }))
    app.onError(errorHandler({ log: () => undefined }))
    app.get("/notes", async (c) => c.json((await c.var.session.scalars(select(Note))).all()))
    const answer = await app.request("/notes")
    expect(answer.status).toBe(503)
    expect(answer.headers.get("Retry-After")).toBe("1")
  })
})
