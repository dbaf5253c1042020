// A versioned object first read inside a transaction that bumped its version (a text() or bulk UPDATE)
// and then rolled back still held the bumped version: its next change failed with StaleDataError
// although no one else had changed the row, and retrying after the error could not help. SQLAlchemy's
// rollback expires the object, and its flush loads the expired version before the UPDATE. Now the
// flush reads the version of each object a rollback left expired again first (one request for all),
// and writes against it; a row that is gone is still reported (StaleDataError).
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, StaleDataError, select, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { sessionModels } from "../review-day7-session/models.ts"

const { registry, Parent } = sessionModels("r7s2_version")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a version a rolled-back transaction left on ${fixture.name}`, () => {
    const scope = `r7s2-version-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    async function readInsideRolledBack(session: AsyncSession, id: number) {
      session.add(new Parent({ id, name: `p${id}` }))
      await session.commit()
      session.expungeAll()
      await session.begin()
      await session.execute(text(`UPDATE r7s2_version_parents SET version = version + 1 WHERE id = ${id}`))
      const parent = await session.get(Parent, id)
      if (!parent) throw new Error("no parent")
      expect(parent.version).toBe(2)
      await session.rollback()
      return parent
    }

    it("an update after the rollback is written against the version the row has", async () => {
      await using session = new AsyncSession(engine)
      const parent = await readInsideRolledBack(session, 1)
      parent.name = "renamed"
      await session.commit()
      expect(parent.version).toBe(2)
      await using other = new AsyncSession(engine)
      const row = (await other.scalars(select(Parent).where(Parent.id.eq(1)))).one()
      expect([row.name, row.version]).toEqual(["renamed", 2])
    })

    it("a delete after the rollback too", async () => {
      await using session = new AsyncSession(engine)
      const parent = await readInsideRolledBack(session, 2)
      session.delete(parent)
      await session.commit()
      expect((await session.scalars(select(Parent.id).where(Parent.id.eq(2)))).all()).toEqual([])
    })

    it("a row gone since is still reported", async () => {
      await using session = new AsyncSession(engine)
      const parent = await readInsideRolledBack(session, 3)
      await engine.execute(text("DELETE FROM r7s2_version_parents WHERE id = 3"))
      parent.name = "late"
      await expect(session.commit()).rejects.toThrow(StaleDataError)
    })
  })
}
