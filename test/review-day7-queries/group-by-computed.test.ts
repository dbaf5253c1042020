// Grouping by a computed expression that holds a value (`const bucket = caseWhen(...)`, `Order.qty.add(1)`,
// `title.concat("!")`) and selecting the same expression failed on PostgreSQL only: 'column "..." must
// appear in the GROUP BY clause', where SQLite answered. Each use of the value was its own parameter
// ($1 in the select list, $3 in GROUP BY), so PostgreSQL could not tell the two expressions were one.
// SQLAlchemy renders one bound parameter used twice as one ($1 both times, with asyncpg); so does
// edgealchemy now, and both databases give the same groups.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  caseWhen,
  column,
  func,
  Integer,
  insert,
  literal,
  model,
  Registry,
  String,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Order extends model(
  "q7_orders",
  { id: column(Integer, { primaryKey: true }), qty: column(Integer), sku: column(String(20)) },
  { registry },
) {}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`GROUP BY a computed expression on ${fixture.name}`, () => {
    const engine = fixture.engine(`q7-group-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const rows = async (statement: Parameters<AsyncSession["execute"]>[0]) => {
      await using session = new AsyncSession(engine)
      return (await session.execute(statement)).all().map((row) => [...(row as unknown as unknown[])])
    }

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(Order).values([
          { id: 1, qty: 1, sku: "a" },
          { id: 2, qty: 5, sku: "a" },
          { id: 3, qty: 12, sku: "b" },
          { id: 4, qty: 20, sku: "b" },
        ]),
      )
      await session.commit()
    })

    it("groups by a CASE of values, selected and ordered by the same CASE", async () => {
      const size = caseWhen([[Order.qty.lt(10), "small"]], "large")
      expect(await rows(select(size, func.count()).groupBy(size).orderBy(size))).toEqual([
        ["large", 2],
        ["small", 2],
      ])
      const labelled = size.label("size")
      expect(await rows(select(labelled, func.sum(Order.qty)).groupBy(labelled).orderBy(labelled))).toEqual([
        ["large", 32],
        ["small", 6],
      ])
    })

    it("groups by arithmetic and concatenation with values, and filters the groups by them", async () => {
      const tens = Order.qty.div(10)
      expect(await rows(select(tens, func.count()).groupBy(tens).having(tens.lt(2)).orderBy(tens))).toEqual([
        [0, 2],
        [1, 1],
      ])
      const tagged = Order.sku.concat("!")
      expect(await rows(select(tagged, func.max(Order.qty)).groupBy(tagged).orderBy(tagged))).toEqual([
        ["a!", 5],
        ["b!", 20],
      ])
    })

    it("groups by a function of values, substr(sku, 1, 1), as date_trunc('month', at) would be", async () => {
      const initial = func.substr(Order.sku, 1, 1)
      expect(await rows(select(initial, func.count()).groupBy(initial).orderBy(initial))).toEqual([
        ["a", 2],
        ["b", 2],
      ])
    })

    it("a value selected alone and also used beside a column is two parameters (text alone, an integer beside qty)", async () => {
      const five = literal(5)
      expect(
        await rows(select(five, Order.qty.add(five), five.label("again")).where(Order.id.eq(1))),
      ).toEqual([[5, 6, 5]])
    })

    it("binds each value once per use where placeholders are positional, and once where numbered", async () => {
      const size = caseWhen([[Order.qty.lt(10), "small"]], "large")
      const { sql, params } = select(size, func.count()).groupBy(size).compile(engine.dialect)
      expect(params).toEqual(
        fixture.dialect === "postgresql"
          ? [10, "small", "large"]
          : [10n, "small", "large", 10n, "small", "large"],
      )
      expect(sql.match(fixture.dialect === "postgresql" ? /\$\d/g : /\?/g)?.length).toBe(6)
    })
  })
}
