// A Numeric value compared with a computed Numeric (an aggregate, coalesce(), a CASE, a scalar
// subquery) found other rows on SQLite than on PostgreSQL, silently. The value was bound as text ('2'),
// which a NUMERIC column converts by its affinity, but a computed value has no affinity, and SQLite
// orders every number before every text: sum(price) > '2' was never true, sum(price) < '2' always.
// PostgreSQL reads the parameter as numeric. Each query here must give the same rows on both.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  caseWhen,
  column,
  func,
  Integer,
  insert,
  model,
  Numeric,
  Registry,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Charge extends model(
  "q7_charges",
  {
    id: column(Integer, { primaryKey: true }),
    account: column(Integer),
    amount: column(Numeric(10, 2)),
  },
  { registry },
) {}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`Numeric values against computed Numerics on ${fixture.name}`, () => {
    const engine = fixture.engine(`q7-numcmp-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const ids = async (statement: Parameters<AsyncSession["scalars"]>[0]) => {
      await using session = new AsyncSession(engine)
      return [...(await session.scalars(statement)).all()]
    }

    it("seeds: account 1 owes 1.10 + 1.15, account 2 owes 0.50", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(Charge).values([
          { id: 1, account: 1, amount: "1.10" },
          { id: 2, account: 1, amount: "1.15" },
          { id: 3, account: 2, amount: "0.50" },
        ]),
      )
      await session.commit()
    })

    it("HAVING sum(amount) > '2' keeps the account whose sum is 2.25", async () => {
      const over = select(Charge.account).groupBy(Charge.account).having(func.sum(Charge.amount).gt("2"))
      expect(await ids(over)).toEqual([1])
      const under = select(Charge.account).groupBy(Charge.account).having(func.sum(Charge.amount).lt("2"))
      expect(await ids(under)).toEqual([2])
      const equal = select(Charge.account).groupBy(Charge.account).having(func.sum(Charge.amount).eq("2.25"))
      expect(await ids(equal)).toEqual([1])
    })

    it("max(), coalesce(), CASE and a scalar subquery compare as numbers", async () => {
      const byMax = select(Charge.account).groupBy(Charge.account).having(func.max(Charge.amount).ge("1.15"))
      expect(await ids(byMax)).toEqual([1])
      const coalesced = select(Charge.id)
        .where(func.coalesce(Charge.amount, "0").gt("1.12"))
        .orderBy(Charge.id)
      expect(await ids(coalesced)).toEqual([2])
      const cased = select(Charge.id)
        .where(caseWhen([[Charge.account.eq(1), Charge.amount]], "0").gt("1"))
        .orderBy(Charge.id)
      expect(await ids(cased)).toEqual([1, 2])
      const top = select(func.max(Charge.amount)).scalarSubquery()
      const biggest = select(Charge.id).where(top.gt("1.12"), Charge.amount.eq(top))
      expect(await ids(biggest)).toEqual([2])
      const listed = select(Charge.account)
        .groupBy(Charge.account)
        .having(func.sum(Charge.amount).in(["2.25", "9"]))
      expect(await ids(listed)).toEqual([1])
    })

    it("a Numeric value still reads back at the column's scale", async () => {
      await using session = new AsyncSession(engine)
      const sums = await session.execute(
        select(Charge.account, func.sum(Charge.amount), func.coalesce(func.max(Charge.amount), "0"))
          .groupBy(Charge.account)
          .orderBy(Charge.account),
      )
      expect(sums.all().map((row) => [...row])).toEqual([
        [1, "2.25", "1.15"],
        [2, "0.50", "0.50"],
      ])
    })
  })
}
