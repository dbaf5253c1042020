// SQL propagates NULL through operators: `NULL + 1`, `NULL || 'x'`, `CAST(NULL AS ...)` are NULL.
// Expressions built on a nullable operand are typed `| null` (src/sql/expression.ts: add/sub/mul/div/mod,
// concat, cast; functions.ts: coalesce; case.ts: caseWhen without an ELSE), and hybrids built from them.
// Comparisons stay `boolean`: they are conditions, and WHERE reads NULL as false.
import { describe, expect, expectTypeOf, it } from "vitest"
import { AsyncSession, caseWhen, type Engine, func, select, Text } from "../../src/index.ts"
import { AtUser } from "./models.ts"

/** Run by ./type-truth.test.ts on each database, over its schema. */
export function nullabilitySuite(engine: Engine): void {
  describe("nullability of expressions", () => {
    let id = 0

    it("seeds a user whose nullable columns are NULL", async () => {
      await using s = new AsyncSession(engine)
      const u = new AtUser({ name: "nobody" })
      s.add(u)
      await s.commit()
      id = u.id
    })

    it("types arithmetic on a nullable column (age + 1, age * 2, age / 2, big + 1n) as nullable", async () => {
      await using s = new AsyncSession(engine)
      const plus = (await s.scalars(select(AtUser.age.add(1)).where(AtUser.id.eq(id)))).one()
      const times = (await s.scalars(select(AtUser.age.mul(2)).where(AtUser.id.eq(id)))).one()
      const half = (await s.scalars(select(AtUser.age.div(2)).where(AtUser.id.eq(id)))).one()
      const bigger = (await s.scalars(select(AtUser.big.add(1n)).where(AtUser.id.eq(id)))).one()
      expect([plus, times, half, bigger]).toEqual([null, null, null, null])
      expectTypeOf(plus).toEqualTypeOf<number | null>()
      expectTypeOf(times).toEqualTypeOf<number | null>()
      expectTypeOf(half).toEqualTypeOf<number | null>()
      expectTypeOf(bigger).toEqualTypeOf<bigint | null>()
    })

    it("types concat of a nullable column (bio || '!') as nullable", async () => {
      await using s = new AsyncSession(engine)
      const bang = (await s.scalars(select(AtUser.bio.concat("!")).where(AtUser.id.eq(id)))).one()
      expect(bang).toBeNull()
      expectTypeOf(bang).toEqualTypeOf<string | null>()
    })

    it("types CAST of a nullable column (age AS TEXT) as nullable", async () => {
      await using s = new AsyncSession(engine)
      const text = (await s.scalars(select(AtUser.age.cast(Text)).where(AtUser.id.eq(id)))).one()
      expect(text).toBeNull()
      expectTypeOf(text).toEqualTypeOf<string | null>()
    })

    it("types coalesce(bio, first) as nullable when every argument may be NULL", async () => {
      await using s = new AsyncSession(engine)
      const both = (
        await s.scalars(select(func.coalesce(AtUser.bio, AtUser.first)).where(AtUser.id.eq(id)))
      ).one()
      const withNull = (
        await s.scalars(select(func.coalesce(AtUser.bio, null)).where(AtUser.id.eq(id)))
      ).one()
      expect([both, withNull]).toEqual([null, null])
      expectTypeOf(both).toEqualTypeOf<string | null>()
      expectTypeOf(withNull).toEqualTypeOf<string | null>()
    })

    it("types caseWhen without a fallback as nullable (its own doc says so)", async () => {
      await using s = new AsyncSession(engine)
      const label = (
        await s.scalars(select(caseWhen([[AtUser.c.name.eq("somebody"), "known"]])).where(AtUser.id.eq(id)))
      ).one()
      expect(label).toBeNull()
      expectTypeOf(label).toEqualTypeOf<string | null>()
    })

    it("types hybrids over nullable columns (first || ' ' || last, age + 1) as nullable, in SQL and on instances", async () => {
      await using s = new AsyncSession(engine)
      const [fullName, agePlusOne] = (
        await s.execute(select(AtUser.fullName, AtUser.agePlusOne).where(AtUser.id.eq(id)))
      ).one()
      const user = (await s.get(AtUser, id))!
      expect([fullName, agePlusOne, user.fullName, user.agePlusOne]).toEqual([null, null, null, null])
      expectTypeOf(fullName).toEqualTypeOf<string | null>()
      expectTypeOf(agePlusOne).toEqualTypeOf<number | null>()
      expectTypeOf(user.fullName).toEqualTypeOf<string | null>()
      expectTypeOf(user.agePlusOne).toEqualTypeOf<number | null>()
    })
  })
}
