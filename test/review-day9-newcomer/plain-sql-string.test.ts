// engine.execute("SELECT 1"), connection.execute("SELECT 1") and a ReadSession's execute("SELECT 1"), as
// other libraries take SQL, failed with "TypeError: statement.compile is not a function" from inside the
// connection (only AsyncSession said what it takes, in words of its own; it now gives the same refusal). Every statement is compiled in one place, the
// connection, which now refuses a string there, naming text(), before anything is sent: SQLAlchemy 2.0
// refuses a plain string too ("Textual SQL expression ... should be explicitly declared as text(...)").
// TypeScript refuses a string there already; the refusal is for JavaScript and values typed loosely.
import { describe, expect, expectTypeOf, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  type Engine,
  Integer,
  InvalidRequestError,
  model,
  ReadSession,
  Registry,
  type Statement,
  select,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Tally extends model("r9nc_sql_tallies", { id: column(Integer, { primaryKey: true }) }, { registry }) {}

const sql = (value: string) => value as unknown as Statement
const refusal = 'A string is not a statement: pass text("SELECT 1")'

describe("SQL in a string, to TypeScript", () => {
  it("is not a statement", () => {
    expectTypeOf<string>().not.toExtend<Statement>()
    const typed = (engine: Engine) => {
      // @ts-expect-error SQL is run as text("SELECT 1")
      void engine.execute("SELECT 1")
      // @ts-expect-error as a session's is
      void new ReadSession(engine).execute("SELECT 1")
    }
    expect(typed).toBeTypeOf("function")
  })
})

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`SQL in a string on ${fixture.name}`, () => {
    const scope = `r9nc-sql-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const requests = async () => (await fixture.stats(scope))?.httpRequests ?? 0

    it("is refused by engines, connections and batches, naming text(), before anything is sent", async () => {
      const before = await requests()
      await expect(engine.execute(sql("SELECT 1"))).rejects.toThrow(refusal)
      await expect(engine.execute(sql("SELECT 1"))).rejects.toBeInstanceOf(InvalidRequestError)
      await using connection = engine.connect()
      await expect(connection.execute(sql("SELECT 1"))).rejects.toThrow(refusal)
      // With params, the string is named, not the params.
      await expect(connection.execute(sql("SELECT 1"), [5])).rejects.toThrow(refusal)
      await expect(connection.batch([text("SELECT 2"), sql("SELECT 1")])).rejects.toThrow(refusal)
      // Quotes in the SQL are escaped in the text() the message writes.
      await expect(connection.execute(sql(`SELECT 'a"b'`))).rejects.toThrow(`pass text("SELECT 'a\\"b'")`)
      expect(await requests()).toBe(before)
      // The connection goes on.
      expect((await connection.execute(text("SELECT 3").columns(Integer))).scalar()).toBe(3)
    })

    it("is refused by a ReadSession's execute, scalars and scalar; the session goes on", async () => {
      await using session = new ReadSession(engine)
      const before = await requests()
      await expect(session.execute(sql("SELECT 1"))).rejects.toThrow(refusal)
      await expect(session.scalars(sql("SELECT 1"))).rejects.toThrow(refusal)
      await expect(session.scalar(sql("SELECT 1"))).rejects.toThrow(refusal)
      expect(await requests()).toBe(before)
      expect(await session.scalar(text("SELECT 4").columns(Integer))).toBe(4)
    })

    it("is refused by an AsyncSession with the same message, before its autoflush sends anything", async () => {
      await using session = new AsyncSession(engine)
      session.add(new Tally({ id: 1 }))
      const before = await requests()
      await expect(session.execute(sql("SELECT 1"))).rejects.toThrow(refusal)
      await expect(session.scalars(sql("SELECT 1"))).rejects.toThrow(refusal)
      expect(await requests()).toBe(before)
      // The session goes on: its pending object is flushed by the next query, which finds it.
      expect((await session.scalars(select(Tally))).all().map((tally) => tally.id)).toEqual([1])
      await session.rollback()
    })
  })
}
