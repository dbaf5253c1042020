// errorHandler() drops the headers a handler set for the answer it meant to give (a session cookie, a
// Location) from its error answer. Under a middleware that touched c.res before the handler ran (cors(),
// etag(), poweredBy()), Hono copies the context's response headers into the error answer after the
// error handler returned it, so before the fix the 409 and the 500 still logged the client in and sent it
// elsewhere. The CORS headers, which are no success's, stay.
import { Hono } from "hono"
import { cors } from "hono/cors"
import { describe, expect, it } from "vitest"
import { errorHandler } from "../../src/hono.ts"
import { StaleDataError } from "../../src/index.ts"

describe("errorHandler() under cors()", () => {
  for (const [name, error, status] of [
    ["a known error (409)", new StaleDataError("stale"), 409],
    ["an internal error (500)", new Error("bug"), 500],
  ] as const) {
    it(`${name}: no Set-Cookie, Location or caching headers on the error answer`, async () => {
      const a = new Hono()
      a.use(cors())
      a.onError(errorHandler({ log: () => undefined }))
      a.post("/", (c) => {
        c.header("Set-Cookie", "sid=abc")
        c.header("Location", "/posts/7")
        c.header("Cache-Control", "public, max-age=600")
        throw error
      })
      const r = await a.request("/", { method: "POST", headers: { origin: "http://client.test" } })
      expect(r.status).toBe(status)
      expect({
        cookie: r.headers.get("set-cookie"),
        location: r.headers.get("location"),
        cache: r.headers.get("cache-control"),
        cors: r.headers.get("access-control-allow-origin"),
      }).toEqual({ cookie: null, location: null, cache: null, cors: "*" })
    })
  }
})
