// engine.execute(User), a connection's execute(User) and a ReadSession's execute(User) or scalars(User),
// as a newcomer asks for a model's rows (SQLAlchemy's session.scalars(select(User)) written short),
// failed with "TypeError: statement.compile is not a function" from inside the connection; only
// AsyncSession said what it takes (a6347c4). The connection, where every statement is compiled, now
// names what it was given and the fix, before anything is sent: "User is not a statement: pass
// select(User)" (a Core table or a column by its name alike); the connection or session goes on.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  column,
  Integer,
  InvalidRequestError,
  MetaData,
  model,
  ReadSession,
  Registry,
  type Statement,
  select,
  table,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Lantern extends model("r10nc_lanterns", { id: column(Integer, { primaryKey: true }) }, { registry }) {}
const wicks = table(
  "r10nc_wicks",
  { id: column(Integer, { primaryKey: true }) },
  { metadata: new MetaData() },
)

/** What JavaScript, or a value typed loosely, passes where a statement is due. */
const given = (value: unknown) => value as Statement

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a model given as a statement on ${fixture.name}`, () => {
    const scope = `r10nc-model-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const requests = async () => (await fixture.stats(scope))?.httpRequests ?? 0

    it("is refused by engines, connections and batches, naming select(Model), before anything is sent", async () => {
      const before = await requests()
      const refusal = "Lantern is not a statement: pass select(Lantern)"
      await expect(engine.execute(given(Lantern))).rejects.toThrow(refusal)
      await expect(engine.execute(given(Lantern))).rejects.toBeInstanceOf(InvalidRequestError)
      await using connection = engine.connect()
      await expect(connection.execute(given(Lantern))).rejects.toThrow(refusal)
      await expect(connection.batch([select(Lantern), given(Lantern)])).rejects.toThrow(refusal)
      // A Core table and a column are named alike.
      await expect(connection.execute(given(wicks))).rejects.toThrow(
        "r10nc_wicks is not a statement: pass select(r10nc_wicks)",
      )
      await expect(connection.execute(given(Lantern.id))).rejects.toThrow(
        "id is not a statement: pass select(id)",
      )
      expect(await requests()).toBe(before)
      // The connection goes on.
      expect((await connection.execute(select(Lantern.id))).all()).toEqual([])
    })

    it("is refused by a ReadSession's execute, scalars and scalar; the session goes on", async () => {
      await using session = new ReadSession(engine)
      const before = await requests()
      const refusal = "Lantern is not a statement: pass select(Lantern)"
      await expect(session.execute(given(Lantern))).rejects.toThrow(refusal)
      await expect(session.scalars(given(Lantern))).rejects.toThrow(refusal)
      await expect(session.scalar(given(Lantern))).rejects.toThrow(refusal)
      expect(await requests()).toBe(before)
      expect((await session.scalars(select(Lantern))).all()).toEqual([])
    })

    it("keeps the refusal of SQL in a string", async () => {
      await expect(engine.execute(given("SELECT 1"))).rejects.toThrow(
        'A string is not a statement: pass text("SELECT 1")',
      )
    })
  })
}
