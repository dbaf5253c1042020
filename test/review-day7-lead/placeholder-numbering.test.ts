// PostgreSQL numbers a value used twice with one $n (2471805: `GROUP BY` must repeat the select list's
// expression parameter for parameter). The first version found a value's number with params.indexOf,
// a scan of every value numbered so far for each placeholder: an IN list or a multi-row INSERT of
// 30,000 values compiled in 1.2 s instead of 0.15 s, growing with the square (PostgreSQL takes 65,535).
// Counted, not timed: the reads of the list being numbered, which must grow with its length.
import { describe, expect, it } from "vitest"
import { postgresql } from "../../src/dialects/postgresql/dialect.ts"
import { caseWhen, column, func, Integer, model, Registry, String, select } from "../../src/index.ts"
import type { ParamSlot } from "../../src/sql/compiler/expression-compiler.ts"
import { Integer as IntegerType } from "../../src/sql/types.ts"

const registry = new Registry()
class Order extends model(
  "r7l_orders",
  { id: column(Integer, { primaryKey: true }), qty: column(Integer), sku: column(String(20)) },
  { registry },
) {}
registry.registerModels(Order)

type Numbering = { placeholder(params: ParamSlot[], slot: ParamSlot): string }

describe("PostgreSQL's numbered placeholders", () => {
  it("read the list being numbered a bounded number of times per value", () => {
    const compiler = postgresql.createCompiler({}) as unknown as Numbering
    const numbered: ParamSlot[] = []
    let reads = 0
    const counted = new Proxy(numbered, {
      get(target, property, receiver) {
        if (typeof property === "string" && /^\d+$/.test(property)) reads++
        return Reflect.get(target, property, receiver)
      },
    })
    const slots = Array.from({ length: 4_000 }, (_, i) => ({ value: i, type: IntegerType }) as ParamSlot)
    const placeholders = slots.map((slot) => compiler.placeholder(counted, slot))
    expect(placeholders.slice(0, 3)).toEqual(["$1", "$2", "$3"])
    expect(placeholders.at(-1)).toBe("$4000")
    // Each slot used again keeps its number.
    expect(compiler.placeholder(counted, slots[1234] as ParamSlot)).toBe("$1235")
    expect(numbered).toHaveLength(4_000)
    expect(reads).toBeLessThanOrEqual(2 * 4_001)
  })

  it("number a value used twice once, and the values after it in order", () => {
    const size = caseWhen([[Order.qty.lt(10), "small"]], "large")
    const statement = select(size, func.count())
      .where(Order.sku.ne("x"))
      .groupBy(size)
      .having(func.count().gt(2))
    const { sql, params } = statement.compile(postgresql)
    expect(sql.match(/\$\d+/g)).toEqual(["$1", "$2", "$3", "$4", "$1", "$2", "$3", "$5"])
    expect(params).toEqual([10, "small", "large", "x", 2])
  })
})
