// A read whose answer is too large to send is a plain failure, whatever its SQL starts with. Over
// libSQL HTTP the transport took any statement not starting with SELECT for a write that had run in
// autocommit (dd476d3), so a compiled select with a CTE (`WITH "x" AS (...) SELECT ...`) answered
// RESPONSE_TOO_LARGE was an UnknownOutcomeError saying "The write ran ... it may have been applied;
// check before retrying": a read reported as a write of unknown outcome.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import ws from "ws"
import { column, Integer, MetaData, select, Text, table, text, UnknownOutcomeError } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

const PART = 4 * 1024 * 1024

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a read with a CTE whose answer is too large on ${fixture.name}`, () => {
    const name = `rv3_large_${fixture.name.replace("-", "_")}`
    const documents = table(
      name,
      { id: column(Integer, { primaryKey: true }), body: column(Text) },
      {
        metadata: new MetaData(),
      },
    )
    const engine = fixture.engine(`rv3-large-${fixture.name}-${Date.now().toString(36)}`)
    const pg = fixture.dialect === "postgresql"

    beforeAll(async () => {
      await engine.execute(text(`DROP TABLE IF EXISTS ${name}`))
      await engine.execute(text(`CREATE TABLE ${name} (id integer PRIMARY KEY, body text)`))
      // 12 MiB of text made by the database, over the 10 MB an answer may carry.
      const big = pg ? `repeat('y', ${PART})` : `printf('%.*c', ${PART}, 'y')`
      for (const id of [1, 2, 3]) await engine.execute(text(`INSERT INTO ${name} VALUES (${id}, ${big})`))
    })
    afterAll(async () => {
      await engine.execute(text(`DROP TABLE IF EXISTS ${name}`))
    })

    it("is a plain failure, not an UnknownOutcomeError", async () => {
      const all = select(documents.c.id, documents.c.body).cte("all_documents")
      const error = await engine.execute(select(all.c.body)).catch((caught: unknown) => caught)
      expect(error).not.toBeInstanceOf(UnknownOutcomeError)
      expect((error as Error).message).toMatch(/too large/i)
    })
  })
}
