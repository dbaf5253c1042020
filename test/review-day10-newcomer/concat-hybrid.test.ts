// The SQLAlchemy guide's hybrid property, ported: full_name is func.concat(first_name, ' ', last_name)
// (its @full_name.expression). Here one definition serves SQL and instances, and func.concat() could
// not be computed in memory: reading user.fullName threw 'cannot be computed in memory (the function
// concat() cannot be evaluated in memory)', and a bulk UPDATE with synchronizeSession: "evaluate" whose
// WHERE used it was refused. concat() is computed as both databases compute it (PostgreSQL's concat(),
// SQLite's since 3.44): NULL counts as empty, never a NULL result; of the types `||` takes in memory
// (text and integers), a double or a boolean still left to the database, as for `||`.

import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  Boolean,
  column,
  Float,
  func,
  hybrid,
  Integer,
  InvalidRequestError,
  model,
  Registry,
  String,
  select,
  update,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()

class Writer extends model(
  "r10nc_writers",
  {
    id: column(Integer, { primaryKey: true }),
    firstName: column(String(50)),
    lastName: column(String(50), { nullable: true }),
    age: column(Integer, { default: 30 }),
    rating: column(Float, { default: 0.1 }),
    active: column(Boolean, { default: true }),
  },
  {
    registry,
    // TypeScript takes text only for concat(): the other kinds are JavaScript's, or a cast's.
    hybrids: hybrid((c) => ({
      fullName: func.concat(c.firstName, " ", c.lastName),
      badge: func.concat(c.firstName, "#", c.age as never),
      rated: func.concat(c.firstName, c.rating as never),
      flagged: func.concat(c.firstName, c.active as never),
    })),
  },
) {}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`the guide's full_name hybrid, func.concat(), on ${fixture.name}`, () => {
    const scope = `r10nc-concat-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    it("is computed on instances as the database computes it, a NULL part as empty", async () => {
      await using session = new AsyncSession(engine)
      const writers = [
        new Writer({ firstName: "Alice", lastName: "Smith" }),
        new Writer({ firstName: "Zoë", lastName: null, age: 7 }),
      ]
      session.addAll(writers)
      await session.commit()
      expect(writers.map((writer) => writer.fullName)).toEqual(["Alice Smith", "Zoë "])
      expect(writers.map((writer) => writer.badge)).toEqual(["Alice#30", "Zoë#7"])
      const stored = await session.execute(
        select(Writer.fullName, Writer.badge)
          .where(Writer.id.in(writers.map((w) => w.id)))
          .orderBy(Writer.id),
      )
      expect(stored.all()).toEqual([
        ["Alice Smith", "Alice#30"],
        ["Zoë ", "Zoë#7"],
      ])
      // The guide's query: select(User).where(User.full_name == "Alice Smith").
      expect(await session.scalar(select(Writer).where(Writer.fullName.eq("Alice Smith")))).toBe(writers[0])
    })

    it("lets a bulk UPDATE whose WHERE uses it keep the session's objects in step by evaluating", async () => {
      await using session = new AsyncSession(engine)
      const ada = new Writer({ firstName: "Ada", lastName: "Lovelace" })
      const bob = new Writer({ firstName: "Bob", lastName: "Lovelace" })
      session.addAll([ada, bob])
      await session.commit()
      const result = await session.execute(
        update(Writer).where(Writer.fullName.eq("Ada Lovelace")).values({ age: 36 }),
        { synchronizeSession: "evaluate" },
      )
      expect(result.rowsAffected).toBe(1)
      expect([ada.age, bob.age]).toEqual([36, 30])
      expect([session.isModified(ada), session.isModified(bob)]).toEqual([false, false])
    })

    it("still leaves a double's or a boolean's text to the database, as for ||", async () => {
      await using session = new AsyncSession(engine)
      const writer = new Writer({ firstName: "Cy" })
      session.add(writer)
      await session.commit()
      expect(() => writer.rated).toThrow(InvalidRequestError)
      expect(() => writer.rated).toThrow("each database writes a float as text in its own way")
      expect(() => writer.flagged).toThrow("each database writes a boolean as text in its own way")
    })
  })
}
