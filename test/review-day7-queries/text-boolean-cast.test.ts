// CAST of text to a boolean is the database's own conversion, and they differ (README, the databases'
// differences): PostgreSQL reads 'true' and 'yes' as true, SQLite reads the text as a number (BOOLEAN
// has NUMERIC affinity), so they are false there and '1' true. This pins what the README says.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, Boolean, literal, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`CAST of text to a boolean on ${fixture.name}`, () => {
    const engine = fixture.engine(`q7-boolcast-${fixture.name}-${Date.now().toString(36)}`)

    it("is PostgreSQL's reading of the words there, a number's on SQLite", async () => {
      await using session = new AsyncSession(engine)
      const row = (
        await session.execute(
          select(literal("true").cast(Boolean), literal("yes").cast(Boolean), literal("1").cast(Boolean)),
        )
      ).one()
      expect([...row]).toEqual(fixture.dialect === "postgresql" ? [true, true, true] : [false, false, true])
    })
  })
}
