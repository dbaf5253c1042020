// A model selected through Core (a Connection, an Engine): the engine knows no ORM, so each entity is
// the array of its column values, and is typed so (it was typed as an instance of the model).
import { describe, expect, expectTypeOf, it } from "vitest"
import { AsyncSession, type Engine, insert, select } from "../../src/index.ts"
import { AtPost, AtUser } from "./models.ts"

/** Run by ./type-truth.test.ts on each database, over its schema. */
export function coreEntitySuite(engine: Engine): void {
  describe("models through Core", () => {
    it("types select(Model) on a Connection as rows of column values, as they come", async () => {
      await using s = new AsyncSession(engine)
      s.add(new AtUser({ name: "core" }))
      await s.commit()
      await using connection = engine.connect()
      const [user, name] = (
        await connection.execute(select(AtUser, AtUser.c.name).where(AtUser.c.name.eq("core")))
      ).one()
      expectTypeOf(user).toEqualTypeOf<unknown[]>()
      expectTypeOf(name).toEqualTypeOf<string>()
      expect(Array.isArray(user)).toBe(true)
      expect(user).toContain("core")
    })

    it("types engine.execute(insert(Model).returning(Model)) so too", async () => {
      const [post] = (
        await engine.execute(insert(AtPost).values({ title: "via engine" }).returning(AtPost))
      ).one()
      expectTypeOf(post).toEqualTypeOf<unknown[]>()
      expect(post).toContain("via engine")
    })
  })
}
