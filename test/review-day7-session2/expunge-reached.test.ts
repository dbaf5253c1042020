// expunge() of a new object that add() reached only through a relationship (add(parent), the child in
// parent.children) did nothing: the flush's cascade took the child in and inserted it, though the
// application had removed it from the session. SQLAlchemy's add() puts the child in the session and
// expunge() takes it out; its flush then skips it along parent.children (with a warning). Now ours
// does the same: the child is not written, and stays transient until it is added or linked again.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, inspect, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { sessionModels } from "../review-day7-session/models.ts"

const { registry, Parent, Child } = sessionModels("r7s2_expunge")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`expunge() of a child add() reached on ${fixture.name}`, () => {
    const scope = `r7s2-expunge-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    it("is not written by the flush; adding it again writes it", async () => {
      await using session = new AsyncSession(engine)
      const kept = new Child({ id: 11, name: "kept" })
      const dropped = new Child({ id: 12, name: "dropped" })
      const parent = new Parent({ id: 10, name: "p10", children: [kept, dropped] })
      session.add(parent)
      session.expunge(dropped)
      await session.commit()
      expect(inspect(dropped).state).toBe("transient")
      expect(inspect(kept).state).toBe("persistent")
      const ids = (await session.scalars(select(Child.id).where(Child.id.in([11, 12])))).all()
      expect(ids).toEqual([11])
      // The next flush, cascading along the same collection, still leaves it out.
      parent.name = "p10b"
      await session.commit()
      expect((await session.scalars(select(Child.id).where(Child.id.eq(12)))).all()).toEqual([])
      session.add(dropped)
      await session.commit()
      const row = await session.scalars(select(Child).where(Child.id.eq(12)))
      expect(row.one().parentId).toBe(10)
    })
  })
}
