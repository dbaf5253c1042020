// Uuid carries its value check, as Numeric, Json and DateOnly do, so that a worker whose models have no
// Uuid column carries none of it. The check refuses, before anything is sent, what it refused before:
// anything but lowercase 8-4-4-4-12 text, a number, text with NUL or a lone surrogate included; a uuid type
// made without the constant has no check, and is refused as the others are.
import { describe, expect, it } from "vitest"
import { DataError, SqlType, Uuid } from "../../src/index.ts"
import { checkedValue } from "../../src/sql/value-checks.ts"

describe("Uuid's value check", () => {
  const id = "0b9a8c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"

  it("takes the lowercase 8-4-4-4-12 form", () => {
    expect(checkedValue(id, Uuid)).toBe(id)
  })

  it("refuses any other value, naming the form", () => {
    for (const value of [
      id.toUpperCase(),
      `${id}\u0000`,
      `${id.slice(0, -1)}\ud800`,
      "",
      42,
      null,
      undefined,
    ]) {
      expect(() => checkedValue(value, Uuid)).toThrow(DataError)
      expect(() => checkedValue(value, Uuid)).toThrow(/lowercase 8-4-4-4-12 UUIDs only/)
    }
  })

  it("refuses a value of a uuid type made without Uuid, which has no check", () => {
    expect(() => checkedValue(id, new SqlType<string>("uuid"))).toThrow("make its type with the factory")
  })
})
