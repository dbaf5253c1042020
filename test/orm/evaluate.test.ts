// The in-memory evaluator (hybrids on instances, synchronizeSession "evaluate") refuses what it cannot
// compute as the database would, so callers ask the database instead of guessing.
import { describe, expect, it } from "vitest"
import { column, DateTime, Float, Integer, MetaData, table as makeTable } from "../../src/index.ts"
import { evaluator, matches, rowValues, Unevaluable, UnknownColumn } from "../../src/orm/evaluate.ts"
import { mapperOf } from "../../src/orm/mapper-of.ts"
import { Member } from "./query-models.ts"

const table = mapperOf(Member).table
const stamps = makeTable(
  "ev_stamps",
  { id: column(Integer, { primaryKey: true }), at: column(DateTime), ratio: column(Float) },
  { metadata: new MetaData() },
)

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

  it("refuses % of a non-integer (SQLite takes both sides as integers, PostgreSQL has no % of doubles)", () => {
    expect(() => evaluator(stamps.c.ratio.mod(2), stamps)).toThrow(Unevaluable)
    expect(evaluator(Member.balance.mod(Member.credit), table)({ balance: -7, credit: 2 })).toBe(-1)
  })

  it("refuses, for a stored row, a timestamp equal to the millisecond, which the row may not be", () => {
    const noon = new Date("2024-01-01T12:00:00.000Z")
    const later = new Date("2024-01-01T12:00:00.001Z")
    const due = matches([stamps.c.at.le(noon)], stamps)
    expect(() => due({ at: new Date(noon) })).toThrow(Unevaluable)
    // A millisecond apart, the microseconds below cannot change the answer.
    expect(due({ at: later })).toBe(false)
    expect(matches([stamps.c.at.between(noon, later)], stamps)({ at: new Date(noon.getTime() - 1) })).toBe(
      false,
    )
    // A hybrid answers for the values themselves.
    expect(evaluator(stamps.c.at.le(noon), stamps)({ at: new Date(noon) })).toBe(true)
  })

  it("takes a column missing from a row's values as unknown, not NULL", () => {
    const named = evaluator(Member.nickname.isNull(), table)
    expect(named({})).toBe(true)
    expect(() => named(rowValues({ id: 1 }, "Member"))).toThrow(UnknownColumn)
    expect(named(rowValues({ id: 1, nickname: null }, "Member"))).toBe(true)
  })
})
