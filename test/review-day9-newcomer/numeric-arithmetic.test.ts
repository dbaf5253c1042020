// Arithmetic on a Numeric column was typed for numbers only: `Account.balance.mul("1.1")`, with the
// decimal text a Numeric's values are (src/sql/types.ts), was a type error, and so was `add()` of another
// Numeric column, though both ran; tests cast the column to Expression<number>. The operators now take
// the left side's own value type: decimal text beside a Numeric, typed as decimal text. The operand is
// bound as the column's type (checked as decimal text, sent as SQLite keeps a NUMERIC). PostgreSQL and
// SQLite answer a product or a quotient at different scales (13.750 and 13.75; SQLite reads a computed
// NUMERIC at the column's scale): a CAST to the column's type gives one answer on both.
import { describe, expect, expectTypeOf, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  type Expression,
  Integer,
  model,
  Numeric,
  postgresql,
  ReadSession,
  Registry,
  select,
  sqlite,
  update,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Account extends model(
  "r9nc_num_accounts",
  {
    id: column(Integer, { primaryKey: true }),
    balance: column(Numeric(10, 2)),
    bonus: column(Numeric(10, 2), { nullable: true }),
  },
  { registry },
) {}

describe("Numeric arithmetic's types", () => {
  it("take decimal text and other Numerics beside a Numeric, typed as decimal text", () => {
    expectTypeOf(Account.balance.mul("1.1")).toEqualTypeOf<Expression<string>>()
    expectTypeOf(Account.balance.add(Account.balance)).toEqualTypeOf<Expression<string>>()
    expectTypeOf(Account.balance.sub(Account.bonus)).toEqualTypeOf<Expression<string | null>>()
    expectTypeOf(Account.bonus.div("3")).toEqualTypeOf<Expression<string | null>>()
    expectTypeOf(Account.balance.mod(null)).toEqualTypeOf<Expression<string | null>>()
    // Numbers stay numbers, and each side takes its own kind of value only.
    expectTypeOf(Account.id.mul(2)).toEqualTypeOf<Expression<number>>()
    // @ts-expect-error an Integer's operand is a number
    Account.id.mul("2")
    // @ts-expect-error a Numeric's operand is decimal text, as its values are
    Account.balance.mul(1.1)
    // @ts-expect-error a Numeric is not a number expression
    Account.id.add(Account.balance)
    // A computed Numeric is a value for the column.
    update(Account).values({ balance: Account.balance.mul("1.1") })
  })

  it("compile the operand as a parameter of the column's type on both dialects", () => {
    const statement = select(Account.balance.mul("1.1")).where(Account.id.eq(1))
    expect(statement.compile(postgresql)).toEqual({
      sql: 'SELECT "r9nc_num_accounts"."balance" * $1 FROM "r9nc_num_accounts" WHERE "r9nc_num_accounts"."id" = $2',
      params: ["1.1", 1],
    })
    expect(statement.compile(sqlite)).toEqual({
      sql: 'SELECT "r9nc_num_accounts"."balance" * ? FROM "r9nc_num_accounts" WHERE "r9nc_num_accounts"."id" = ?',
      params: [1.1, 1n],
    })
  })
})

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`Numeric arithmetic with decimal text on ${fixture.name}`, () => {
    const engine = fixture.engine(`r9nc-num-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const postgres = fixture.dialect === "postgresql"

    it("computes in SELECT and in UPDATE, reading back decimal text", async () => {
      await using session = new AsyncSession(engine)
      session.add(new Account({ id: 1, balance: "12.50", bonus: "0.25" }))
      session.add(new Account({ id: 2, balance: "7.00", bonus: null }))
      await session.commit()

      const computed = select(
        Account.balance.mul("1.1"),
        Account.balance.add(Account.bonus),
        Account.balance.sub("0.50"),
        Account.balance.div("4"),
        Account.balance.mul("1.1").cast(Numeric(10, 2)),
      ).orderBy(Account.id)
      const rows = (await session.execute(computed)).all()
      // PostgreSQL's product has the scales of both sides added, its quotient 16 decimals; SQLite's
      // NUMERIC computed in doubles reads at the column's scale. The CAST agrees on both.
      expect(rows).toEqual(
        postgres
          ? [
              ["13.750", "12.75", "12.00", "3.1250000000000000", "13.75"],
              ["7.700", null, "6.50", "1.7500000000000000", "7.70"],
            ]
          : [
              ["13.75", "12.75", "12.00", "3.13", "13.75"],
              ["7.70", null, "6.50", "1.75", "7.70"],
            ],
      )

      await session.execute(
        update(Account)
          .where(Account.id.eq(1))
          .values({ balance: Account.balance.mul("1.1") }),
      )
      await session.commit()
      await using reader = new ReadSession(engine)
      expect((await reader.scalars(select(Account.balance).orderBy(Account.id))).all()).toEqual([
        "13.75",
        "7.00",
      ])
      // A computed Numeric compared with decimal text: 27.50 >= 27.50, 14.00 is not.
      const doubled = select(Account.id).where(Account.balance.mul("2").ge("27.50"))
      expect((await reader.scalars(doubled)).all()).toEqual([1])
    })
  })
}
