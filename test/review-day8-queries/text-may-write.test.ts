// A text() statement was taken for a read whenever it began with SELECT, so a lost answer to
// `SELECT nextval('seq')` (or `SELECT fn_that_writes()`) was a plain ConnectionError, which
// toHttpError() answers 503 with Retry-After: the client sent the request again and the function ran
// twice. Hand-written SQL now counts as a read only when it is a SELECT that calls nothing and selects
// INTO nothing (its strings and comments aside); any other's lost answer, outside a transaction, is an
// UnknownOutcomeError (503 outcome_unknown, no Retry-After). A plain SELECT stays a retryable read.
import { describe, expect, it } from "vitest"
import { toHttpError } from "../../src/hono.ts"
import { ConnectionError, text, UnknownOutcomeError } from "../../src/index.ts"
import { fixtures, seededEngine } from "./fixture.ts"
import { models } from "./models.ts"

const m = models("q8_tmw")

for (const fixture of fixtures()) {
  describe(`the answer to hand-written SQL lost on ${fixture.name}`, () => {
    const scope = `q8-text-lost-${fixture.name}-${Date.now().toString(36)}`
    const engine = seededEngine(fixture, "text-lost", m)
    const lost = fixture.engine(scope)
    const failure = async (sql: string) => {
      await fixture.dropNextRequest?.(scope)
      return lost.execute(text(sql)).catch((error: unknown) => error)
    }

    it("a SELECT that calls a function may have written: its outcome is unknown, not a retry", async () => {
      const sql =
        fixture.dialect === "postgresql"
          ? "SELECT nextval(pg_get_serial_sequence('q8_tmw_users', 'id'))"
          : "SELECT max(id) FROM q8_tmw_users"
      const error = await failure(sql)
      expect(error).toBeInstanceOf(UnknownOutcomeError)
      const answer = toHttpError(error as Error)
      expect([answer?.status, answer?.headers?.["Retry-After"]]).toEqual([503, undefined])
    })

    it("so does a SELECT INTO, and a WITH", async () => {
      expect(await failure("SELECT * INTO q8_tmw_copy FROM q8_tmw_users")).toBeInstanceOf(UnknownOutcomeError)
      expect(await failure("WITH u AS (SELECT id FROM q8_tmw_users) SELECT id FROM u")).toBeInstanceOf(
        UnknownOutcomeError,
      )
    })

    it("a SELECT that calls nothing is a read: a ConnectionError, to retry", async () => {
      const error = await failure(
        "SELECT id, name FROM q8_tmw_users WHERE name = 'max(' -- count(*)\nORDER BY id",
      )
      expect(error).toBeInstanceOf(ConnectionError)
      expect(error).not.toBeInstanceOf(UnknownOutcomeError)
      expect(toHttpError(error as Error)?.headers?.["Retry-After"]).toBe("1")
      // And it reads as before once the connection is back.
      const rows = (await engine.execute(text("SELECT name FROM q8_tmw_users WHERE id = 1"))).all()
      expect(rows.map((row) => [...row])).toEqual([["ada"]])
    })
  })
}
