// dbSession() closes the request's session as the handlers return, before the response is sent. A
// response that streams (hono/streaming) runs its callback after the handler returned its Response: a
// query there met "This session is closed; open a new one", as if the app had closed it, and the client
// got a 200 cut short. Using the session then now says what happened and what to do instead.
import { Hono } from "hono"
import { streamText } from "hono/streaming"
import { describe, expect, it } from "vitest"
import {
  dbReadSession,
  dbSession,
  errorHandler,
  type ReadSessionVariables,
  type SessionVariables,
} from "../../src/hono.ts"
import { text } from "../../src/index.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"

describe("a streamed response that queries after the handler returned", () => {
  const engine = libsqlHttpFixture().engine(`h8-stream-${Date.now().toString(36)}`)

  function streaming<E extends { Variables: SessionVariables } | { Variables: ReadSessionVariables }>(
    app: Hono<E>,
  ) {
    app.onError(errorHandler({ log: () => undefined }))
    app.get("/rows", (c) =>
      streamText(
        c,
        async (s) => {
          for (const i of [1, 2]) await s.writeln(String(await c.var.session.scalar(text(`SELECT ${i}`))))
        },
        async (error, s) => {
          await s.writeln(`${error.name}: ${error.message}`)
        },
      ),
    )
    // A session closed by the handler itself keeps the plain message.
    app.get("/closed", async (c) => {
      await c.var.session.close()
      await c.var.session.scalar(text("SELECT 1"))
      return c.text("unreachable")
    })
    return app
  }

  for (const [name, app] of [
    [
      "dbSession()",
      streaming(new Hono<{ Variables: SessionVariables }>().use(dbSession({ engine: () => engine }))),
    ],
    [
      "dbReadSession()",
      streaming(new Hono<{ Variables: ReadSessionVariables }>().use(dbReadSession({ engine: () => engine }))),
    ],
  ] as const) {
    it(`${name}: says the session closed with the request, and what to do`, async () => {
      const answer = await (app as unknown as Hono).request("/rows")
      const lines = (await answer.text()).trim().split("\n")
      // The first query went out before the handler returned; the second came after the close.
      expect(lines[0]).toBe("1")
      expect(lines[1]).toMatch(
        /^InvalidRequestError: c\.var\.session was closed when the request's handlers returned, before the response body was sent: a response that streams \(hono\/streaming\)/,
      )
      const closed = await (app as unknown as Hono).request("/closed")
      expect(closed.status).toBe(500)
    })
  }
})
