// session.execute("SELECT ...") is how other libraries take SQL, and session.scalars(User) how a
// newcomer asks for a model's rows: both failed with "TypeError: statement.compile is not a function"
// from inside the connection. AsyncSession now refuses what is not a statement before anything is sent,
// naming select(...) and text("SQL") (SQLAlchemy: "Textual SQL expression ... should be explicitly
// declared as text(...)"); the session goes on. (ReadSession, the engine and connections still give the
// TypeError: the check is bytes in every read Worker.)
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  model,
  Registry,
  type Statement,
  select,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Note extends model("r8nc_exec_notes", { id: column(Integer, { primaryKey: true }) }, { registry }) {}

const loose = (value: unknown) => value as Statement

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`AsyncSession.execute() of what is not a statement, on ${fixture.name}`, () => {
    const scope = `r8nc-exec-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    it("is refused before anything is sent, naming select() and text()", async () => {
      await using session = new AsyncSession(engine)
      session.add(new Note({ id: 1 }))
      const before = (await fixture.stats(scope))?.httpRequests ?? 0
      const takes = 'execute() and scalars() take a statement, select(...) or text("SQL"), not'
      await expect(session.execute(loose("SELECT 1"))).rejects.toThrow(
        'A string is not a statement: pass text("SELECT 1")',
      )
      await expect(session.scalars(loose(Note))).rejects.toThrow(`${takes} the class Note`)
      await expect(session.scalar(loose({ sql: "SELECT 1" }))).rejects.toThrow(`${takes} a plain object`)
      expect((await fixture.stats(scope))?.httpRequests ?? 0).toBe(before)
      // The session goes on: its pending note is flushed by the next query, which finds it.
      expect((await session.scalars(select(Note))).all().map((note) => note.id)).toEqual([1])
      expect(await session.scalar(text("SELECT 2").columns(Integer))).toBe(2)
      await session.commit()
    })
  })
}
