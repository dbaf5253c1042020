// An isolation level is checked wherever a transaction begins on PostgreSQL. AsyncSession.begin()
// checked it, but ReadSession.begin() and a connection's begin() and batch() passed it on, and Neon's
// WebSocket writes it into its BEGIN statement: `{ isolationLevel: "serializable; DROP TABLE ..." }` (a
// level read from a request, a config file) ran as SQL and dropped the table. Now the Neon transport
// refuses a level PostgreSQL does not know before anything is sent. (libSQL writes no level anywhere:
// SQLite's transactions are serializable.)
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  model,
  ReadSession,
  Registry,
  select,
} from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Kept extends model("r6l_iso_kept", { id: column(Integer, { primaryKey: true }) }, { registry }) {}
registry.registerModels(Kept)

const INJECTED = "serializable; DROP TABLE r6l_iso_kept; --"
const cast = (value: unknown) => value as never
const refusal = /^isolationLevel "serializable; DROP TABLE r6l_iso_kept; --" is not one PostgreSQL knows$/

for (const fixture of [neonFixture("websocket", ws), neonFixture("http", ws)]) {
  describe(`begin() with a level that is not one, on ${fixture.name}`, () => {
    const scope = `r6l-iso-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const sent = async () => (await fixture.stats(scope))?.statements ?? Number.NaN

    const ways = {
      "ReadSession.begin()": async () => {
        await using session = new ReadSession(engine)
        await session.begin(cast({ isolationLevel: INJECTED }))
      },
      "a connection's begin()": async () => {
        await using connection = engine.connect()
        await connection.begin(cast({ isolationLevel: INJECTED }))
      },
      "a connection's batch()": async () => {
        await using connection = engine.connect()
        await connection.batch([select(Kept.id), select(Kept.id)], cast({ isolationLevel: INJECTED }))
      },
      "AsyncSession.begin()": async () => {
        await using session = new AsyncSession(engine)
        await session.begin(cast({ isolationLevel: INJECTED }))
      },
    }

    for (const [way, begin] of Object.entries(ways)) {
      it(`${way} refuses it before anything is sent`, async () => {
        await using session = new AsyncSession(engine)
        if (!(await session.get(Kept, 1))) session.add(new Kept({ id: 1 }))
        await session.commit()
        const before = await sent()
        const refused = await begin().then(
          () => undefined,
          (error: unknown) => error,
        )
        expect(refused).toBeInstanceOf(InvalidRequestError)
        // AsyncSession's own check (../review-day5-inputs2/session-options.test.ts) names the levels.
        expect((refused as Error).message).toMatch(
          way === "AsyncSession.begin()" ? /isolationLevel is one of/ : refusal,
        )
        expect(await sent()).toBe(before)
        // The table is still there, with its row.
        expect((await session.scalars(select(Kept.id))).all()).toEqual([1])
      })
    }

    it("a level the database knows still opens the transaction", async () => {
      await using session = new ReadSession(engine)
      await session.begin({ isolationLevel: "repeatable read" })
      expect((await session.scalars(select(Kept.id).where(Kept.id.eq(-1)))).all()).toEqual([])
      await session.rollback()
    })
  })
}
