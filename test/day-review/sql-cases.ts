// SQL: the evaluator's CAST, caseWhen's typing, SQLite's CAST of timestamps, on both databases.
import { describe, expect, it } from "vitest"
import {
  AsyncSession,
  caseWhen,
  DateOnly,
  type Engine,
  Numeric,
  select,
  Text,
  update,
} from "../../src/index.ts"
import { RvNum } from "./models.ts"

let next = 9000
const id = () => ++next

/** Run by ./day-review.test.ts on each database, over its schema. */
export function sqlCases(engine: Engine): void {
  describe("review sql", () => {
    async function row(
      values: Partial<{ amount: string; weight: number; txt: string; at: Date; n: number }>,
    ) {
      await using s = new AsyncSession(engine)
      const r = new RvNum({ id: id(), ...values })
      s.add(r)
      await s.commit()
      return r.id
    }

    for (const weight of [100, 1e15]) {
      it(`a hybrid CAST of a whole Float (${weight}) to text is what the database computes`, async () => {
        const key = await row({ weight })
        await using s = new AsyncSession(engine)
        const fromDb = await s.scalar(select(RvNum.weightText).where(RvNum.id.eq(key)))
        const obj = (await s.get(RvNum, key))!
        let inMemory: unknown
        try {
          inMemory = obj.weightText
        } catch (error) {
          inMemory = error // refusing is fine: memory must not guess
        }
        if (!(inMemory instanceof Error)) expect(inMemory).toBe(fromDb)
      })

      it(`a bulk UPDATE SET txt = CAST(weight AS TEXT) (${weight}) leaves the object as the row ("auto")`, async () => {
        const key = await row({ weight })
        await using s = new AsyncSession(engine)
        const obj = (await s.get(RvNum, key))!
        await s.execute(
          update(RvNum)
            .where(RvNum.id.eq(key))
            .values({ txt: RvNum.weight.cast(Text) }),
        )
        await using r = new AsyncSession(engine)
        const fresh = (await r.get(RvNum, key))!
        expect(obj.txt).toBe(fresh.txt)
      })
    }

    it("a hybrid CAST to a Numeric of another scale is what the database computes (or refused)", async () => {
      const key = await row({ amount: "12.50" })
      await using s = new AsyncSession(engine)
      const fromDb = await s.scalar(select(RvNum.amountWhole).where(RvNum.id.eq(key)))
      const obj = (await s.get(RvNum, key))!
      let inMemory: unknown
      try {
        inMemory = obj.amountWhole
      } catch (error) {
        inMemory = error
      }
      if (!(inMemory instanceof Error)) expect(inMemory).toBe(fromDb)
    })

    it("a bulk UPDATE SET amount = CAST(amount AS NUMERIC(10,0)) leaves the object as the row", async () => {
      const key = await row({ amount: "12.50" })
      await using s = new AsyncSession(engine)
      const obj = (await s.get(RvNum, key))!
      await s.execute(
        update(RvNum)
          .where(RvNum.id.eq(key))
          .values({ amount: RvNum.amount.cast(Numeric(10, 0)) }),
      )
      await using r = new AsyncSession(engine)
      const fresh = (await r.get(RvNum, key))!
      expect(obj.amount).toBe(fresh.amount)
    })

    it("caseWhen with an Integer column and a fractional fallback reads 1.5", async () => {
      const key = await row({ n: 3 })
      await using s = new AsyncSession(engine)
      const value = await s.scalar(select(caseWhen([[RvNum.n.lt(0), RvNum.n]], 1.5)).where(RvNum.id.eq(key)))
      expect(value).toBe(1.5)
    })

    it("CAST(timestamp AS DATE) reads the same date on both databases", async () => {
      const at = new Date("2024-05-06T07:08:09.123Z")
      const key = await row({ at })
      await using s = new AsyncSession(engine)
      const value = await s.scalar(select(RvNum.at.cast(DateOnly)).where(RvNum.id.eq(key)))
      const dateValue = await s.scalar(select(RvNum.day).where(RvNum.id.eq(key)))
      void dateValue
      expect(
        (value as unknown) instanceof Date ? (value as unknown as Date).toISOString().slice(0, 10) : value,
      ).toBe("2024-05-06")
      expect(typeof value).toBe(typeof new RvNum({ id: 0, day: "2024-05-06" as never }).day)
    })
  })
}
