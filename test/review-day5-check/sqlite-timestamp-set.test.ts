// A bulk UPDATE whose new value compares timestamps (`early: Visit.at.lt(noon)`) is computed by the
// database as its WHERE would be: SQLite compares a DateTime as the text its row holds, and a row
// another program wrote as `2024-01-02T00:00:00Z` sorts after any time of that day in the ORM's form
// ('T' after ' '), although its instant is earlier. 287d9fd synchronized such a WHERE by RETURNING; a
// value computed in the SET clause was still evaluated in memory, so the held object took `true` where
// its row got `false`, as committed (a rollback or a later flush would not have corrected it).
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  Boolean,
  column,
  DateTime,
  deleteFrom,
  Integer,
  InvalidRequestError,
  inspect,
  model,
  Registry,
  String,
  select,
  text,
  update,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Visit extends model(
  "r5c_ts_visits",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    at: column(DateTime),
    early: column(Boolean, { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Visit)

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a bulk UPDATE computing a value from a timestamp comparison, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5c-ts-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const foreign = fixture.dialect === "sqlite" ? "2024-01-02T00:00:00Z" : "2024-01-02 00:00:00+00"
    const noon = new Date("2024-01-02T12:00:00Z")
    // What the database answers for `at < noon` on that row: SQLite compares the texts.
    const databaseSays = fixture.dialect === "postgresql"

    async function held(session: AsyncSession): Promise<Visit> {
      await session.execute(deleteFrom(Visit), { synchronizeSession: false })
      await session.execute(text(`INSERT INTO r5c_ts_visits (id, label, at) VALUES (1, 'raw', '${foreign}')`))
      const visit = (await session.get(Visit, 1)) as Visit
      expect(visit.at.toISOString()).toBe("2024-01-02T00:00:00.000Z")
      return visit
    }

    it("the held object takes the value the database computed, and stays unmodified", async () => {
      await using session = new AsyncSession(engine)
      const visit = await held(session)
      await session.execute(update(Visit).values({ early: Visit.at.lt(noon) }))
      const stored = await session.scalar(select(Visit.early).where(Visit.id.eq(1)))
      expect(stored).toBe(databaseSays)
      expect(visit.early).toBe(databaseSays)
      expect(inspect(visit).modified).toEqual([])
    })

    it(`"evaluate" is refused on SQLite, and used on PostgreSQL`, async () => {
      await using session = new AsyncSession(engine)
      const visit = await held(session)
      const run = session.execute(update(Visit).values({ early: Visit.at.lt(noon) }), {
        synchronizeSession: "evaluate",
      })
      if (fixture.dialect === "sqlite") {
        await expect(run).rejects.toThrow(InvalidRequestError)
        expect(visit.early).toBeNull()
      } else {
        await run
        expect(visit.early).toBe(true)
      }
    })
  })
}
