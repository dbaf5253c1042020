// A batch of one write outside a transaction goes plain, in autocommit (src/drivers/libsql/hrana.ts:
// "one statement is atomic by itself"), so when its answer is too large to send (RETURNING over
// libSQL's 10 MB), the write was applied all the same. execute() reports that as an
// UnknownOutcomeError; a batch of one did not (before 6da0b84 it went through execute()): it was a
// ProgrammingError saying to return fewer rows, as if nothing had been stored, and a retry stored the
// row again.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { createEngine, text, UnknownOutcomeError } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"

const { url, authToken } = inject("libsql")
const TABLE = "r11h_one_too_large"
const BIG = 11 * 1024 * 1024

describe("a batch of one write whose answer is too large, over libSQL HTTP", () => {
  const engine = createEngine(`${url}/s/r11h-one-too-large/`, { driver: libsql({ authToken }) })
  beforeAll(async () => {
    await engine.execute(text(`DROP TABLE IF EXISTS ${TABLE}`))
    await engine.execute(text(`CREATE TABLE ${TABLE} (x INTEGER, body TEXT)`))
  })
  afterAll(async () => {
    await engine.execute(text(`DROP TABLE IF EXISTS ${TABLE}`))
  })

  it("is an UnknownOutcomeError, as the same write by execute() is: it was applied", async () => {
    await using connection = engine.connect()
    const write = text(`INSERT INTO ${TABLE} VALUES (1, printf('%.*c', ${BIG}, 'y')) RETURNING body`)
    await expect(connection.batch([write])).rejects.toThrow(UnknownOutcomeError)
    expect((await engine.execute(text(`SELECT x FROM ${TABLE}`))).all()).toEqual([[1n]])
  })
})
