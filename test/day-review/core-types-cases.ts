// Core rows of compound selects and RETURNING, at run time and in their types.
import { describe, expect, expectTypeOf, it } from "vitest"
import { type Engine, insert, select, update } from "../../src/index.ts"
import { RvParent } from "./models.ts"

let next = 20000

/** Run by ./day-review.test.ts on each database, over its schema. */
export function coreRowsCases(engine: Engine): void {
  describe("review core rows", () => {
    it("RETURNING a model through Core gives (and types) the array of its column values", async () => {
      const id = ++next
      const inserted = await engine.execute(insert(RvParent).values({ id, name: "a" }).returning(RvParent))
      const [row] = inserted.all()
      expect(Array.isArray(row?.[0])).toBe(true)
      expectTypeOf(row![0]).toEqualTypeOf<unknown[]>()
      const updated = await engine.execute(
        update(RvParent).where(RvParent.id.eq(id)).values({ name: "b" }).returning(RvParent),
      )
      const [urow] = updated.all()
      expect(Array.isArray(urow?.[0])).toBe(true)
      expectTypeOf(urow![0]).toEqualTypeOf<unknown[]>()
    })

    it("a compound select of a model through Core gives the array of its column values", async () => {
      const id = ++next
      await engine.execute(insert(RvParent).values({ id, name: "c" }))
      const q = select(RvParent)
        .where(RvParent.id.eq(id))
        .union(select(RvParent).where(RvParent.id.eq(id)))
      const [row] = (await engine.execute(q)).all()
      expect(Array.isArray(row?.[0])).toBe(true)
      expectTypeOf(row![0]).toEqualTypeOf<unknown[]>()
    })
  })
}
