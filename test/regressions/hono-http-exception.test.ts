// Regression found in review: the error handler keeps the headers an HTTPException carries.
import { Hono } from "hono"
import { basicAuth } from "hono/basic-auth"
import { HTTPException } from "hono/http-exception"
import { describe, expect, it } from "vitest"
import { errorHandler } from "../../src/hono/error-handler.ts"

describe("errorHandler and HTTPException", () => {
  it("keeps the response an HTTPException carries (basicAuth's WWW-Authenticate challenge)", async () => {
    const app = new Hono()
    app.use("/admin/*", basicAuth({ username: "u", password: "p" }))
    app.get("/admin/x", (c) => c.text("ok"))
    app.onError(errorHandler({ log: () => {} }))
    const res = await app.request("/admin/x")
    expect([res.status, res.headers.get("WWW-Authenticate")]).toEqual([401, 'Basic realm="Secure Area"'])
  })

  it("keeps an HTTPException's status outside its table (429 with Retry-After)", async () => {
    const app = new Hono()
    app.get("/x", () => {
      throw new HTTPException(429, {
        res: new Response("slow down", { status: 429, headers: { "Retry-After": "30" } }),
      })
    })
    app.onError(errorHandler({ log: () => {} }))
    const res = await app.request("/x")
    expect([res.status, res.headers.get("Retry-After")]).toEqual([429, "30"])
  })
})
