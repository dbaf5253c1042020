// Uuid and LargeBinary carry their value checks, as Numeric, Json and DateOnly do, so that a worker whose
// models have no such column carries none of them. The check refuses, before anything is sent, what it refused before:
// anything but lowercase 8-4-4-4-12 text, a number, text with NUL or a lone surrogate included; a uuid type
// made without the constant has no check, and is refused as the others are.
import { describe, expect, it } from "vitest"
import { DataError, LargeBinary, SqlType, Uuid } from "../../src/index.ts"
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

describe("LargeBinary's value check", () => {
  it("takes bytes, and refuses anything else, naming what it takes", () => {
    const bytes = new Uint8Array([0, 255])
    expect(checkedValue(bytes, LargeBinary)).toBe(bytes)
    for (const value of ["00ff", [0, 255], bytes.buffer, 7]) {
      expect(() => checkedValue(value, LargeBinary)).toThrow(/Uint8Array only/)
    }
    expect(() => checkedValue(bytes, new SqlType<Uint8Array>("binary"))).toThrow(
      "make its type with the factory",
    )
  })
})
