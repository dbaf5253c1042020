// A request whose answer is too large to send (Neon HTTP: 507 over 10 MiB of rows; libSQL:
// RESPONSE_TOO_LARGE over 10 MB) is reported as what the server did with it. A batch (the atomic
// request of a commit) is rolled back: nothing was applied, so it is no UnknownOutcomeError. A single
// write outside a transaction runs in autocommit and was (libSQL) or may have been (Neon) applied: an
// UnknownOutcomeError, never an error a retry loop would retry blindly. A read is a plain failure. The
// message is the server's words, not its JSON. A read or a batch so answered is a ProgrammingError
// saying to read less (the same request fails the same way every time): it was a ConnectionError over
// Neon (which the Hono handler answered 503 "retry shortly", and every retry got the same answer) and
// an OperationalError saying nothing more over libSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import ws from "ws"
import { ConnectionError, type Engine, text, UnknownOutcomeError } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"

const BIG = 11 * 1024 * 1024

const outcome = (error: unknown) =>
  error instanceof UnknownOutcomeError
    ? "unknown"
    : error instanceof ConnectionError
      ? "connection"
      : `${(error as Error)?.name}`

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`an answer too large on ${fixture.name}`, () => {
    const table = `oc_large_${fixture.name.replace("-", "_")}`
    const engine: Engine = fixture.engine(`oc-large-${fixture.name}`)
    const pg = fixture.dialect === "postgresql"
    // 11 MiB of text made by the database: the request is small, its answer over the limit.
    const big = pg ? `repeat('y', ${BIG})` : `printf('%.*c', ${BIG}, 'y')`
    const stored = async () =>
      (await engine.execute(text(`SELECT x FROM ${table} ORDER BY x`))).all().map(([x]) => Number(x))

    beforeAll(async () => {
      await engine.execute(text(`DROP TABLE IF EXISTS ${table}`))
      await engine.execute(text(`CREATE TABLE ${table} (x integer, body text)`))
    })
    afterAll(async () => {
      await engine.execute(text(`DROP TABLE IF EXISTS ${table}`))
    })

    it("a batch is rolled back: a plain failure saying why, nothing stored", async () => {
      await using connection = engine.connect()
      const error = await connection
        .batch([text(`INSERT INTO ${table} (x) VALUES (1)`), text(`SELECT ${big}`)])
        .catch((caught: unknown) => caught)
      expect(outcome(error)).toBe("ProgrammingError")
      expect((error as Error).message).toMatch(/response is too large.*: return fewer rows$/i)
      expect((error as Error).message).not.toContain("{")
      expect(await stored()).toEqual([])
    })

    it("a single autocommitted write is an UnknownOutcomeError: it may have been applied", async () => {
      const error = await engine
        .execute(text(`INSERT INTO ${table} (x, body) VALUES (2, ${big}) RETURNING body`))
        .catch((caught: unknown) => caught)
      expect(outcome(error)).toBe("unknown")
      expect((error as Error).message).toMatch(/too large/i)
      expect((error as Error).message).toMatch(/may have been applied/)
      expect((error as Error).message).not.toContain("{")
      // Both stand-ins applied it, as SQLite and PostgreSQL run an autocommitted write before its rows are sent.
      expect(await stored()).toEqual([2])
    })

    it.each([
      ["a SELECT", `SELECT ${big}`],
      ["a WITH naming no write", `WITH b AS (SELECT ${big} AS body) SELECT body FROM b`],
    ])("a read is a plain failure, not 'retry': %s", async (_, sql) => {
      const error = await engine.execute(text(sql)).catch((caught: unknown) => caught)
      expect(outcome(error)).toBe("ProgrammingError")
      expect((error as Error).message).toMatch(/too large.*: return fewer rows$/i)
      expect((error as Error).message).not.toContain("{")
    })

    if (pg) {
      it("a write inside a WITH, autocommitted, is an UnknownOutcomeError", async () => {
        const error = await engine
          .execute(
            text(`WITH w AS (INSERT INTO ${table} (x) VALUES (3) RETURNING x) SELECT x, ${big} FROM w`),
          )
          .catch((caught: unknown) => caught)
        expect(outcome(error)).toBe("unknown")
        expect(await stored()).toEqual([2, 3])
      })
    }
  })
}

export type { TransportFixture }
