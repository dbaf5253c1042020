// A parameter JSON cannot carry as Hrana wants it (NaN, Infinity, an invalid Date: a float that is not
// a number; a bigint beyond SQLite's 64 bits) went to the server from edgealchemy/libsql's own transport
// (src/drivers/libsql/hrana.ts), which refused the request with HTTP 400: the user saw a ConnectionError
// ("SERVER_ERROR: Server returned HTTP status 400: ... float value must be a number"), which a retry
// repeats, and in a transaction the lost request broke its stream, so every later statement and the
// commit failed too (HRANA_CLOSED_ERROR). @libsql/client refused such a value before sending (RangeError).
// Now it is a DataError raised before anything is sent, and the transaction goes on.
import { describe, expect, inject, it } from "vitest"
import { beginNested, createEngine, DataError, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"

const { url, authToken } = inject("libsql")

describe("a parameter Hrana cannot carry, over libSQL HTTP", () => {
  const scope = `r11h-unsendable-${Date.now().toString(36)}`
  const engine = createEngine(`${url}/s/${scope}/`, { driver: libsql({ authToken }) })
  const requests = async () =>
    ((await (await fetch(`${url}/s/${scope}/__stats`)).json()) as { httpRequests: number }).httpRequests
  const values = [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -Infinity,
    new Date(Number.NaN),
    2n ** 63n,
    -(2n ** 63n) - 1n,
  ]

  it("is a DataError, and nothing is sent", async () => {
    const before = await requests()
    for (const value of values) {
      const failed = await engine.execute(text("SELECT ?").bind([value])).catch((error: unknown) => error)
      expect(failed).toBeInstanceOf(DataError)
    }
    expect(await requests()).toBe(before)
    // The largest and smallest 64-bit integers go.
    const edges = [2n ** 63n - 1n, -(2n ** 63n)]
    expect((await engine.execute(text("SELECT ?, ?").bind(edges))).all()).toEqual([edges])
  })

  it("inside a savepoint, leaves the transaction usable", async () => {
    await using connection = engine.connect()
    await connection.execute(text("DROP TABLE IF EXISTS r11h_unsendable"))
    await connection.execute(text("CREATE TABLE r11h_unsendable (n INTEGER)"))
    await connection.begin()
    await connection.execute(text("INSERT INTO r11h_unsendable VALUES (1)"))
    for (const value of values) {
      await beginNested(connection)
      await expect(
        connection.execute(text("INSERT INTO r11h_unsendable VALUES (?)").bind([value])),
      ).rejects.toThrow(DataError)
    }
    await connection.execute(text("INSERT INTO r11h_unsendable VALUES (2)"))
    await connection.commit()
    expect((await engine.execute(text("SELECT n FROM r11h_unsendable ORDER BY n"))).all()).toEqual([
      [1n],
      [2n],
    ])
  })
})
