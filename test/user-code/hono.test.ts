// A Hono handler's code failing inside dbSession()'s request-scoped session: the request's transaction
// rolls back, its connection closes, nothing of it is stored, and the next request works.
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import { dbSession, errorHandler, type SessionVariables } from "../../src/hono.ts"
import { listen } from "../../src/index.ts"
import { fixtures, uniq, userCodeModels } from "./models.ts"

const { suiteEngine, titlesLike, UcBook } = userCodeModels("hono")

type Env = { Variables: SessionVariables }

for (const fixture of fixtures) {
  describe(`a failing handler under dbSession() on ${fixture.name}`, () => {
    const engine = suiteEngine(fixture)
    const logged: unknown[] = []
    const app = new Hono<Env>()
    app.use(dbSession<Env>({ engine: () => engine, commit: true }))
    app.onError(errorHandler({ log: (_message, error) => logged.push(error) }))
    app.post("/books/:title", (c) => {
      c.var.session.add(new UcBook({ title: c.req.param("title") }))
      return c.text("added")
    })
    // The flush is under way (an interactive transaction open) when the handler throws: the rollback
    // waits for it, and undoes it.
    app.post("/throws/:title", (c) => {
      c.var.session.add(new UcBook({ title: c.req.param("title") }))
      void c.var.session.flush().catch(() => undefined)
      throw new Error("handler failed")
    })

    it("a handler that throws with its flush under way: 500 with its error logged, nothing stored, and the next request commits", async () => {
      const title = uniq("throws")
      logged.length = 0
      const failed = await app.request(`/throws/${title}`, { method: "POST" })
      const next = await app.request(`/books/${title}-next`, { method: "POST" })
      expect([failed.status, String(logged[0]), next.status]).toEqual([500, "Error: handler failed", 200])
      expect(await titlesLike(engine, title)).toEqual([`${title}-next`])
    })

    it("a listener that throws in the middleware's commit: 500 with the listener's error logged, nothing stored, and the next request commits", async () => {
      const title = uniq("listener")
      logged.length = 0
      const stop = listen(UcBook, "beforeInsert", (book) => {
        if (book.title === title) throw new Error("listener failed")
      })
      try {
        const failed = await app.request(`/books/${title}`, { method: "POST" })
        const next = await app.request(`/books/${title}-next`, { method: "POST" })
        expect([failed.status, String(logged[0]), next.status]).toEqual([500, "Error: listener failed", 200])
      } finally {
        stop()
      }
      expect(await titlesLike(engine, title)).toEqual([`${title}-next`])
    })
  })
}
