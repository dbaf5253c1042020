// A flush that fails inside a savepoint rolls the savepoint's work back (the transaction goes on), but
// its objects stayed pending as before the flush: when the application did not call the savepoint's
// rollback(), the next commit() inserted them again, outside the savepoint, and failed the whole
// transaction (its earlier, good work lost) or wrote what the savepoint was to keep apart. SQLAlchemy's
// session refuses further work after a failed flush until it is rolled back. Now ours refuses to write
// (flush, commit, writes) with PendingRollbackError naming the savepoint's rollback() while an object of
// the failed flush would be written again, and goes on once the savepoint (or the whole transaction) is
// rolled back, or those objects are expunged (test/review-day6-committed/unreadable-returning.test.ts).
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, IntegrityError, inspect, PendingRollbackError, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { sessionModels } from "../review-day7-session/models.ts"

const { registry, Parent, Child } = sessionModels("r7s2_spfail")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a flush that failed inside a savepoint on ${fixture.name}`, () => {
    const scope = `r7s2-spfail-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    it("refuses further writes until the savepoint is rolled back, then commits the work before it", async () => {
      await using session = new AsyncSession(engine)
      session.add(new Child({ id: 20, name: "taken" }))
      await session.commit()
      await session.begin()
      const parent = new Parent({ id: 21, name: "p21", children: [] })
      session.add(parent)
      await session.flush()
      const savepoint = await session.beginNested()
      const clash = new Child({ id: 22, name: "taken" })
      parent.children.push(clash)
      await expect(session.flush()).rejects.toThrow(IntegrityError)
      const refused = await session.commit().catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(PendingRollbackError)
      expect(String(refused)).toContain("rollback()")
      expect((refused as Error).cause).toBeInstanceOf(IntegrityError)
      await expect(session.flush()).rejects.toThrow(PendingRollbackError)
      await savepoint.rollback()
      expect(inspect(clash).state).toBe("transient")
      await session.commit()
      const parents = (await session.scalars(select(Parent.id).where(Parent.id.eq(21)))).all()
      expect(parents).toEqual([21])
      expect((await session.scalars(select(Child.id).where(Child.id.eq(22)))).all()).toEqual([])
    })

    it("the session's rollback() ends the refusal too", async () => {
      await using session = new AsyncSession(engine)
      session.add(new Child({ id: 29, name: "held" }))
      await session.commit()
      await session.begin()
      await session.beginNested()
      session.add(new Child({ id: 30, name: "held" }))
      await expect(session.flush()).rejects.toThrow(IntegrityError)
      await expect(session.commit()).rejects.toThrow(PendingRollbackError)
      await session.rollback()
      session.add(new Child({ id: 31, name: "free" }))
      await session.commit()
      expect((await session.scalars(select(Child.id).where(Child.id.in([30, 31])))).all()).toEqual([31])
    })
  })
}
