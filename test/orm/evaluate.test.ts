// The in-memory evaluator (hybrids on instances, synchronizeSession "evaluate") refuses what it cannot
// compute as the database would, so callers ask the database instead of guessing.
import { describe, expect, it } from "vitest"
import { evaluator, rowValues, Unevaluable, UnknownColumn } from "../../src/orm/evaluate.ts"
import { mapperOf } from "../../src/orm/mapper-of.ts"
import { Member } from "./query-models.ts"

const table = mapperOf(Member).table

describe("the in-memory evaluator", () => {
  it("refuses a division by zero (SQLite's NULL, PostgreSQL's error), not Infinity", () => {
    const ratio = evaluator(Member.balance.div(Member.credit), table)
    expect(ratio({ balance: 9, credit: 2 })).toBe(4)
    expect(() => ratio({ balance: 9, credit: 0 })).toThrow(Unevaluable)
    expect(() => evaluator(Member.balance.mod(Member.credit), table)({ balance: 9, credit: 0 })).toThrow(
      "division by zero",
    )
  })

  it("refuses to order text, which the database's collation orders", () => {
    expect(() => evaluator(Member.lastName.lt("M"), table)).toThrow(Unevaluable)
    expect(() => evaluator(Member.lastName.between("a", "z"), table)).toThrow(Unevaluable)
    expect(evaluator(Member.lastName.eq("Hope"), table)({ lastName: "Hope" })).toBe(true)
  })

  it("takes a column missing from a row's values as unknown, not NULL", () => {
    const named = evaluator(Member.nickname.isNull(), table)
    expect(named({})).toBe(true)
    expect(() => named(rowValues({ id: 1 }, "Member"))).toThrow(UnknownColumn)
    expect(named(rowValues({ id: 1, nickname: null }, "Member"))).toBe(true)
  })
})
