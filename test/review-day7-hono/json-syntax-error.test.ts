// errorHandler() answered every SyntaxError that mentions JSON with 400 "The request body is not valid
// JSON", and logged nothing: a handler's own JSON.parse of text the database holds (a settings column,
// a cached document) that is not JSON is the app's bug, and the client was told its body was at fault.
// It is a logged 500 now; a body that does not parse is still 400, however the handler read it.
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import { errorHandler } from "../../src/hono.ts"

function app(logged: string[]) {
  const a = new Hono()
  a.onError(errorHandler({ log: (message) => logged.push(message) }))
  const stored = "{not json"
  // The app's bug: text it stored is not JSON.
  a.get("/settings", (c) => c.json(JSON.parse(stored)))
  a.post("/settings", async (c) => {
    const body = await c.req.json()
    return c.json({ body, settings: JSON.parse(stored) })
  })
  // The client's fault, read three ways.
  a.post("/json", async (c) => c.json(await c.req.json()))
  a.post("/text", async (c) => c.json(JSON.parse(await c.req.text())))
  a.post("/raw", async (c) => c.json(await c.req.raw.json()))
  return a
}

const post = (body: string) => ({ method: "POST", body, headers: { "content-type": "application/json" } })

describe("errorHandler() and JSON SyntaxErrors", () => {
  it("the app's own JSON.parse of stored text is a logged 500, with or without a request body", async () => {
    const logged: string[] = []
    const a = app(logged)
    const get = await a.request("/settings")
    expect([get.status, ((await get.json()) as { error: { code: string } }).error.code]).toEqual([
      500,
      "internal_error",
    ])
    expect((await a.request("/settings", post('{"ok": true}'))).status).toBe(500)
    expect(logged).toHaveLength(2)
    expect(logged[0]).toMatch(/^GET \/settings failed: SyntaxError: /)
  })

  it("a request body that is not JSON is 400, not logged, however the handler read it", async () => {
    const logged: string[] = []
    const a = app(logged)
    for (const path of ["/json", "/text", "/raw"]) {
      const r = await a.request(path, post("{oops"))
      expect([path, r.status]).toEqual([path, 400])
    }
    expect((await a.request("/json", post('{"a": 1}'))).status).toBe(200)
    expect(logged).toEqual([])
  })
})
