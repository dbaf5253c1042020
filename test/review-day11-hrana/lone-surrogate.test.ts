// Text with a lone surrogate (a string cut in the middle of an emoji) bound to plain SQL went to the
// server from edgealchemy/libsql's own transport as JSON's escape of it, which no UTF-8 holds: the
// server refused the request with HTTP 400, a ConnectionError ("SERVER_ERROR: ... 400"), which the Hono
// handler answers 503 "retry shortly" though every retry fails the same, and in a transaction the
// refused request broke its stream. (@libsql/client sent it the same way.) A column's own check refuses
// such text with a DataError (src/sql/value-checks.ts); a parameter of text() is now refused so too,
// before anything is sent, and a transaction goes on past a savepoint.
import { describe, expect, inject, it } from "vitest"
import { beginNested, createEngine, DataError, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"

const { url, authToken } = inject("libsql")
const TABLE = "r11h_lone_surrogate"
const CUT = "👍👍".slice(0, 3)

describe("text with a lone surrogate as a parameter, over libSQL HTTP", () => {
  const scope = `r11h-lone-${Date.now().toString(36)}`
  const engine = createEngine(`${url}/s/${scope}/`, { driver: libsql({ authToken }) })
  const requests = async () =>
    ((await (await fetch(`${url}/s/${scope}/__stats`)).json()) as { httpRequests: number }).httpRequests

  it("is a DataError, and nothing is sent; whole surrogate pairs go", async () => {
    for (const value of [CUT, "\udc00", `a${CUT}b`]) {
      const failed = await engine.execute(text("SELECT ?").bind([value])).catch((error: unknown) => error)
      expect(failed).toBeInstanceOf(DataError)
      expect((failed as Error).message).toMatch(/^Text with a lone surrogate cannot be sent to libSQL/)
    }
    expect(await requests()).toBe(0)
    expect((await engine.execute(text("SELECT ?").bind(["👍"]))).all()).toEqual([["👍"]])
  })

  it("leaves a transaction usable past a savepoint", async () => {
    await using connection = engine.connect()
    await connection.execute(text(`DROP TABLE IF EXISTS ${TABLE}`))
    await connection.execute(text(`CREATE TABLE ${TABLE} (t TEXT)`))
    await connection.begin()
    await beginNested(connection)
    await expect(connection.execute(text(`INSERT INTO ${TABLE} VALUES (?)`).bind([CUT]))).rejects.toThrow(
      DataError,
    )
    await connection.execute(text(`INSERT INTO ${TABLE} VALUES ('kept')`))
    await connection.commit()
    expect((await engine.execute(text(`SELECT t FROM ${TABLE}`))).all()).toEqual([["kept"]])
  })
})
