// SQLite compares a DateTime column as the text its row holds. The ORM writes one form
// (`2024-01-02 03:04:05.678`), whose text order is its instants'; a row another program wrote as
// `2024-01-02T00:00:00Z`, or with an offset, is read as its instant but sorts as its text. A bulk
// UPDATE or DELETE whose WHERE compares timestamps is therefore asked of the database (RETURNING, in
// the same statement) on SQLite, not evaluated in memory: before the fix, the held object of such a
// row took the new values of an UPDATE that left its row alone. PostgreSQL compares instants, and
// evaluates as before.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
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
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Visit extends model(
  "r5b_ts_visits",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    at: column(DateTime),
  },
  { registry },
) {}
registry.registerModels(Visit)

const fixtures = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("r5b-ts"), "db.sqlite")),
]
for (const fixture of fixtures) {
  describe(`a bulk write comparing timestamps another program wrote, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5b-ts-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    // Midnight UTC in a form other than the ORM's: SQLite's text order puts it after any time of that
    // day written by the ORM ('T' sorts after ' '); its instant is before noon.
    const foreign = fixture.dialect === "sqlite" ? "2024-01-02T00:00:00Z" : "2024-01-02 00:00:00+00"
    const noon = new Date("2024-01-02T12:00:00Z")

    async function held(session: AsyncSession): Promise<Visit> {
      await session.execute(deleteFrom(Visit), { synchronizeSession: false })
      await session.execute(text(`INSERT INTO r5b_ts_visits (id, label, at) VALUES (1, 'raw', '${foreign}')`))
      const visit = (await session.get(Visit, 1)) as Visit
      expect(visit.at.toISOString()).toBe("2024-01-02T00:00:00.000Z")
      return visit
    }

    it("UPDATE: the held object shows what the database did", async () => {
      await using session = new AsyncSession(engine)
      const visit = await held(session)
      const result = await session.execute(update(Visit).where(Visit.at.lt(noon)).values({ label: "early" }))
      const stored = await session.scalar(select(Visit.label).where(Visit.id.eq(1)))
      expect(visit.label).toBe(stored)
      expect(result.rowsAffected).toBe(fixture.dialect === "sqlite" ? 0 : 1)
    })

    it("DELETE: the held object stays persistent exactly when its row does", async () => {
      await using session = new AsyncSession(engine)
      const visit = await held(session)
      await session.execute(deleteFrom(Visit).where(Visit.at.lt(noon)))
      const left = (await session.execute(select(Visit.id))).scalars().all()
      expect(inspect(visit).state).toBe(left.length === 1 ? "persistent" : "detached")
    })

    it(`"evaluate" is refused on SQLite, and used on PostgreSQL`, async () => {
      await using session = new AsyncSession(engine)
      const visit = await held(session)
      const run = session.execute(update(Visit).where(Visit.at.lt(noon)).values({ label: "early" }), {
        synchronizeSession: "evaluate",
      })
      if (fixture.dialect === "sqlite") {
        await expect(run).rejects.toThrow(InvalidRequestError)
        expect(visit.label).toBe("raw")
      } else {
        await run
        expect(visit.label).toBe("early")
      }
    })
  })
}
