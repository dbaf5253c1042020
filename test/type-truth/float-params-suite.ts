// `Integer op Float` is typed and decoded as a Float (src/sql/expression.ts, arithmetic), so a Float
// value next to an integer column must reach the database as a double: PostgreSQL read an untyped
// parameter as an integer (`age / 2.0` gave 3 where SQLite gives 3.5, `age * 1.5` failed), and a
// fraction was bound with the column's Integer type (refused on both).
import { describe, expect, expectTypeOf, it } from "vitest"
import { AsyncSession, type Engine, Float, literal, select } from "../../src/index.ts"
import { AtUser } from "./models.ts"

/** Run by ./type-truth.test.ts on each database, over its schema. */
export function floatParamsSuite(engine: Engine): void {
  describe("Integer op Float value", () => {
    it("divides an Integer column by a Float literal in doubles, as typed (7 / 2.0 = 3.5)", async () => {
      await using s = new AsyncSession(engine)
      const u = new AtUser({ name: "seven", age: 7 })
      s.add(u)
      await s.commit()
      const half = (
        await s.scalars(select(AtUser.age.div(literal(2, Float))).where(AtUser.id.eq(u.id)))
      ).one()
      // PostgreSQL today: 3 (integer division); SQLite: 3.5.
      expect(half).toBe(3.5)
    })

    it("multiplies an Integer column by a fractional Float literal (7 * 1.5 = 10.5)", async () => {
      await using s = new AsyncSession(engine)
      const u = new AtUser({ name: "seven", age: 7 })
      s.add(u)
      await s.commit()
      // PostgreSQL today: DataError, invalid input syntax for type integer: "1.5".
      const product = (
        await s.scalars(select(AtUser.age.mul(literal(1.5, Float))).where(AtUser.id.eq(u.id)))
      ).one()
      expect(product).toBe(10.5)
    })

    it("accepts age.mul(1.5), which type-checks, by computing it (or its type refuses a fraction)", async () => {
      await using s = new AsyncSession(engine)
      const u = new AtUser({ name: "seven", age: 7 })
      s.add(u)
      await s.commit()
      const expr = AtUser.age.mul(1.5)
      expectTypeOf(expr.valueType).toEqualTypeOf<number | null>()
      // Both databases today: DataError "An integer value cannot hold 1.5" (1.5 is bound as an Integer).
      const product = (await s.scalars(select(expr).where(AtUser.id.eq(u.id)))).one()
      expect(product).toBe(10.5)
    })
  })
}
