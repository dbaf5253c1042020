// errorHandler({ map }) turns the app's errors into answers by their class (the blog maps a duplicate
// username to 409 "taken"). After the request's session committed, errorHandler()'s own answers give way
// to 500 `applied` ("check before sending it again"): a 409 or a 503 would have the client correct and
// resend, or retry, and write the first commit twice. The map's answer was taken as it was, before that
// check: a second commit's duplicate after a first that was applied was 409 through the map. Now the
// map's answer is held to the same rule; an HttpError the handler throws is still its own choice.
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import { dbSession, errorHandler, HttpError, type SessionVariables } from "../../src/hono.ts"
import { IntegrityError, text } from "../../src/index.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"

type Env = { Variables: SessionVariables }

describe("errorHandler({ map }) after the request committed", () => {
  const engine = libsqlHttpFixture().engine(`h8-map-${Date.now().toString(36)}`)

  it("answers 500 applied, not the map's 409; before any commit the map's answer stands", async () => {
    await engine.execute(text("CREATE TABLE IF NOT EXISTS h8_map (x integer PRIMARY KEY)"))
    await engine.execute(text("DELETE FROM h8_map"))
    const app = new Hono<Env>()
    app.use(dbSession<Env>({ engine: () => engine }))
    app.onError(
      errorHandler({
        log: () => undefined,
        map: (error) =>
          error instanceof IntegrityError ? new HttpError(409, "conflict", "taken") : undefined,
      }),
    )
    app.post("/:x", async (c) => {
      const s = c.var.session
      const x = Number(c.req.param("x"))
      if (c.req.query("first")) {
        await s.execute(text(`INSERT INTO h8_map (x) VALUES (${x + 1})`))
        await s.commit()
      }
      if (c.req.query("refuse")) throw new HttpError(403, "forbidden", "not yours")
      await s.execute(text(`INSERT INTO h8_map (x) VALUES (${x})`))
      await s.commit()
      return c.json({}, 201)
    })
    const answer = async (path: string) => {
      const r = await app.request(path, { method: "POST" })
      return [r.status, ((await r.json()) as { error?: { code: string } }).error?.code]
    }
    expect(await answer("/1")).toEqual([201, undefined])
    // Nothing committed by this request: the map's 409 is right.
    expect(await answer("/1")).toEqual([409, "conflict"])
    // Row 11 committed, then row 1's duplicate: resending would write 11 again (before: 409 conflict).
    expect(await answer("/1?first=1")).toEqual([500, "applied"])
    // The handler's own HttpError after a commit is its choice.
    expect(await answer("/20?first=1&refuse=1")).toEqual([403, "forbidden"])
    const stored = (await engine.execute(text("SELECT x FROM h8_map ORDER BY x"))).all()
    expect(stored.map(([x]) => Number(x))).toEqual([1, 2, 21])
  })
})
