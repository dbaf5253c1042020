// An Integer column compared with a fraction (`Review.stars.gt(3.5)`, `between(2.5, 4.5)`, a value an
// application computed) was refused before it was sent: "An integer value cannot hold 3.5: whole
// numbers ... only", though TypeScript accepts it and SQLAlchemy compares it as given. Arithmetic already
// binds such a value as a Float; comparisons now do too, and both databases find the same rows.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, column, func, Integer, insert, model, Registry, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Review extends model(
  "q7_reviews",
  { id: column(Integer, { primaryKey: true }), stars: column(Integer) },
  { registry },
) {}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`an Integer against a fraction on ${fixture.name}`, () => {
    const engine = fixture.engine(`q7-frac-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const ids = async (statement: Parameters<AsyncSession["scalars"]>[0]) => {
      await using session = new AsyncSession(engine)
      return [...(await session.scalars(statement)).all()]
    }

    it("seeds stars 2, 3, 4 and 5", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(insert(Review).values([2, 3, 4, 5].map((stars) => ({ id: stars, stars }))))
      await session.commit()
    })

    it("compares with the fraction as given", async () => {
      expect(await ids(select(Review.id).where(Review.stars.gt(3.5)).orderBy(Review.id))).toEqual([4, 5])
      expect(await ids(select(Review.id).where(Review.stars.le(3.5)).orderBy(Review.id))).toEqual([2, 3])
      expect(await ids(select(Review.id).where(Review.stars.eq(3.5)))).toEqual([])
      expect(await ids(select(Review.id).where(Review.stars.ne(3.5)).orderBy(Review.id))).toEqual([
        2, 3, 4, 5,
      ])
      const between = select(Review.id).where(Review.stars.between(2.5, 4.5)).orderBy(Review.id)
      expect(await ids(between)).toEqual([3, 4])
      const outside = select(Review.id).where(Review.stars.notBetween(2.5, 4)).orderBy(Review.id)
      expect(await ids(outside)).toEqual([2, 5])
    })

    it("compares a computed integer with a fraction too", async () => {
      const counted = select(func.count()).selectFrom(Review).having(func.count().gt(3.5))
      expect(await ids(counted)).toEqual([4])
    })

    it("still refuses a fraction written to an Integer column", async () => {
      await using session = new AsyncSession(engine)
      await expect(session.execute(insert(Review).values({ id: 9, stars: 3.5 }))).rejects.toThrow(
        /cannot hold 3\.5/,
      )
    })
  })
}
