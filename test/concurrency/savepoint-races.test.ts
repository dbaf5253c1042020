// A savepoint's commit() (RELEASE) or rollback() called while a statement inside it is still under
// way (a Promise.all): RELEASE or ROLLBACK TO went out behind it. When the statement failed, PostgreSQL
// refused the RELEASE in the aborted transaction, SQLite released the savepoint first, and a rollback
// had ended it already; either way the failure then had no savepoint to roll back to and ended the
// whole transaction, the work before the savepoint with it. Now both wait: the failed savepoint's
// release is refused as such, its rollback does nothing more, and the enclosing transaction goes on,
// as when the calls are awaited one after the other.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  beginNested,
  IntegrityError,
  InvalidRequestError,
  insert,
  inspect,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { concurrencyModels } from "./models.ts"

const { registry, Doc, storedIn } = concurrencyModels("savepoint")

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a savepoint's commit() racing a statement inside it on ${fixture.name}`, () => {
    const engine = fixture.engine(`cc-savepoint-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let next = 0
    const unique = (what: string) => `${what}-${++next}`

    const stored = (name: string) => storedIn(engine, name)

    /**
     * A session in a transaction with a flushed document, then in a savepoint with another; and a name
     * already taken, whose INSERT fails inside the savepoint.
     */
    const insideSavepoint = async (session: AsyncSession) => {
      const taken = unique("taken")
      session.add(new Doc({ name: taken }))
      await session.commit()
      await session.begin()
      const outer = new Doc({ name: unique("outer") })
      session.add(outer)
      await session.flush()
      const nested = await session.beginNested()
      const inner = new Doc({ name: unique("inner") })
      session.add(inner)
      await session.flush()
      return { taken, outer, inner, nested }
    }

    it("is refused when the statement fails, and the enclosing transaction goes on", async () => {
      await using session = new AsyncSession(engine)
      const { taken, outer, inner, nested } = await insideSavepoint(session)
      const [statement, release] = await Promise.allSettled([
        session.execute(insert(Doc).values({ name: taken })),
        nested.commit(),
      ])
      expect((statement as PromiseRejectedResult).reason).toBeInstanceOf(IntegrityError)
      expect((release as PromiseRejectedResult).reason).toBeInstanceOf(InvalidRequestError)
      expect(session.inTransaction()).toBe(true)
      await nested.rollback()
      await session.commit()
      expect([await stored(outer.name), await stored(inner.name)]).toEqual([1, 0])
    })

    it("rollback() beside a statement inside it that fails: the enclosing transaction goes on", async () => {
      await using session = new AsyncSession(engine)
      const { taken, outer, inner, nested } = await insideSavepoint(session)
      const [statement, rollback] = await Promise.allSettled([
        session.execute(insert(Doc).values({ name: taken })),
        nested.rollback(),
      ])
      expect((statement as PromiseRejectedResult).reason).toBeInstanceOf(IntegrityError)
      expect(rollback.status).toBe("fulfilled")
      expect(session.inTransaction()).toBe(true)
      await session.commit()
      expect([await stored(outer.name), await stored(inner.name)]).toEqual([1, 0])
    })

    it("two calls that wait for a statement under way (a savepoint's rollback(), commit()) both wait", async () => {
      const taken = unique("taken")
      await using seed = new AsyncSession(engine)
      seed.add(new Doc({ name: taken }))
      await seed.commit()
      await using connection = engine.connect()
      await connection.begin()
      const outer = unique("outer")
      await connection.execute(insert(Doc).values({ name: outer }))
      const savepoint = await beginNested(connection)
      // The first to wait took the statements under way for itself, and the second found none: the
      // COMMIT went out behind the failing INSERT, and PostgreSQL answered the aborted transaction's
      // COMMIT with a rollback, the work before the savepoint with it, while commit() said done.
      const [statement, rollback, commit] = await Promise.allSettled([
        connection.execute(insert(Doc).values({ name: taken })),
        savepoint.rollback(),
        connection.commit(),
      ])
      expect((statement as PromiseRejectedResult).reason).toBeInstanceOf(IntegrityError)
      expect([rollback.status, commit.status]).toEqual(["fulfilled", "fulfilled"])
      expect(await stored(outer)).toBe(1)
    })

    it("a statement beside a failing one inside a savepoint fails with it, and the transaction goes on", async () => {
      const taken = unique("taken")
      await using seed = new AsyncSession(engine)
      seed.add(new Doc({ name: taken }))
      await seed.commit()
      await using connection = engine.connect()
      await connection.begin()
      const outer = unique("outer")
      await connection.execute(insert(Doc).values({ name: outer }))
      const savepoint = await beginNested(connection)
      const beside = unique("beside")
      const [failed] = await Promise.allSettled([
        connection.execute(insert(Doc).values({ name: taken })),
        connection.execute(insert(Doc).values({ name: beside })),
      ])
      expect((failed as PromiseRejectedResult).reason).toBeInstanceOf(IntegrityError)
      // On PostgreSQL the INSERT beside it failed too (the failure aborted the transaction), and its own
      // recovery, finding the savepoint gone, rolled back the whole transaction, the work before it too.
      expect(connection.inTransaction).toBe(true)
      await savepoint.rollback()
      await connection.commit()
      expect([await stored(outer), await stored(beside)]).toEqual([1, 0])
    })

    it("its rollback() called while a failure's own rollback to it is out puts the objects back too", async () => {
      await using session = new AsyncSession(engine)
      const { taken, outer, inner, nested } = await insideSavepoint(session)
      // The statement beside the failing one is answered while the failure's ROLLBACK TO is out; an
      // error handler rolls the savepoint back then. It found it "rolled back" and thought it released.
      await Promise.allSettled([
        session.execute(insert(Doc).values({ name: taken })),
        session.execute(insert(Doc).values({ name: unique("beside") })).finally(() => nested.rollback()),
      ])
      expect(inspect(inner).state).toBe("transient")
      await session.commit()
      expect([await stored(outer.name), await stored(inner.name)]).toEqual([1, 0])
    })
  })
}
