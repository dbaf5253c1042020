// A collection's splice given an undefined count (`children.splice(at, count, child)` with `count` left
// undefined) removed every member from `at` on and inserted nothing, where Array's splice removes none
// and inserts: the members of a delete-orphan collection were deleted by the commit and the new child
// was never written. It splices as Array's own now; only a call without a count removes to the end.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, select, selectinload, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { relationModels } from "./models.ts"

const { registry, Parent, Child } = relationModels("r9rel_splice")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`splice with an undefined count, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r9rel-splice-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const stored = async () =>
      (await engine.execute(text('SELECT id, "parentId" FROM r9rel_splice_children ORDER BY id')))
        .all()
        .map((row) => [...row].map(Number))

    it("removes none and inserts, as Array's splice; without a count it removes to the end", async () => {
      await using session = new AsyncSession(engine)
      const parent = new Parent({ id: 1, name: "p" })
      parent.children.push(new Child({ id: 1, name: "a" }), new Child({ id: 2, name: "b" }))
      session.add(parent)
      await session.commit()
      await using reading = new AsyncSession(engine)
      const loaded = (
        await reading.scalars(select(Parent).where(Parent.id.eq(1)).options(selectinload(Parent.children)))
      ).one()
      const count = [undefined][0]
      const removed = loaded.children.splice(0, count as unknown as number, new Child({ id: 3, name: "c" }))
      expect(removed).toEqual([])
      // Was: [] in memory, and the commit deleted a and b and never wrote c.
      expect(loaded.children.map((child) => child.name)).toEqual(["c", "a", "b"])
      await reading.commit()
      expect(await stored()).toEqual([
        [1, 1],
        [2, 1],
        [3, 1],
      ])
      const tail = loaded.children.splice(1)
      expect(tail.map((child) => child.name)).toEqual(["a", "b"])
      await reading.commit()
      expect(await stored()).toEqual([[3, 1]])
    })
  })
}
