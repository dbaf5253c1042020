// A read in a transaction whose answer holds an infinite REAL (9e999, a sum past the largest double),
// which sqld writes as null, was a ConnectionError ('HRANA_PROTO_ERROR: Expected number, received
// null') from edgealchemy/libsql's own transport, as if the connection were lost; outside a
// transaction the same read is a DataError (src/drivers/libsql/reads.ts). @libsql/client closed a
// transaction's stream on it; this transport's stream is unharmed, so the transaction goes on past a
// savepoint, and the read is a DataError in a transaction too.
import { describe, expect, inject, it } from "vitest"
import { beginNested, createEngine, DataError, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"

const { url, authToken } = inject("libsql")

describe("an infinite REAL read in a transaction over libSQL HTTP", () => {
  const engine = createEngine(`${url}/s/r11h-infinite-${Date.now().toString(36)}/`, {
    driver: libsql({ authToken }),
  })

  it("is a DataError, and the transaction goes on past a savepoint", async () => {
    await using connection = engine.connect()
    await connection.execute(text("DROP TABLE IF EXISTS r11h_infinite"))
    await connection.execute(text("CREATE TABLE r11h_infinite (n INTEGER)"))
    await connection.begin()
    await connection.execute(text("INSERT INTO r11h_infinite VALUES (1)"))
    await beginNested(connection)
    await expect(connection.execute(text("SELECT 9e999"))).rejects.toThrow(DataError)
    await beginNested(connection)
    await expect(connection.batch([text("SELECT 1"), text("SELECT 9e999")])).rejects.toThrow(DataError)
    await connection.execute(text("INSERT INTO r11h_infinite VALUES (2)"))
    await connection.commit()
    expect((await engine.execute(text("SELECT n FROM r11h_infinite ORDER BY n"))).all()).toEqual([[1n], [2n]])
  })
})
