// What a column of each type holds, the same on PostgreSQL and SQLite. A value one database would
// refuse and the other change silently (NaN, a fraction in an Integer, a lone surrogate, a NUL, year
// 10000, "1; drop" as a Numeric) is refused here with a DataError, once per bound value and before
// anything is sent; the dialects' encoders call this and then spell the value for their driver. It runs
// for every value of every row, so the common cases cost a few typeof tests.
import { DataError } from "../errors.ts"
import type { Column } from "./schema/column.ts"
import type { SqlType } from "./types.ts"

const FIRST_DAY = -62135596800000 // 0001-01-01T00:00:00.000Z
const LAST_MOMENT = 253402300799999 // 9999-12-31T23:59:59.999Z
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const DAY = /^\d{4}-\d\d-\d\d$/
/** A JSON text's `\u0000` or lone-surrogate escape (JSON.stringify writes lone surrogates escaped). */
const UNSTORABLE_JSON_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/

/**
 * `value`, checked against `type` and made ready to encode: -0 as 0 in a Float, a number or bigint
 * as text in a Numeric, a JSON document as its text. `column` is given for a value written to it
 * (INSERT, UPDATE SET): its capacity (String length, Numeric precision and scale, Enum values) is
 * checked too, and the error names it. A comparison may use a longer string than the column holds.
 */
export function checkedValue(value: unknown, type: SqlType<unknown>, column?: Column<unknown>): unknown {
  const refused = (why: string) => refuse(value, type, column, why)
  switch (type.kind) {
    case "smallint":
    case "integer":
    case "bigint": {
      const limit = type.kind === "integer" ? 2 ** 31 : type.kind === "smallint" ? 2 ** 15 : 2 ** 63
      if (
        typeof value === "number"
          ? Number.isSafeInteger(value) && value >= -limit && value < limit
          : typeof value === "bigint" && value >= -BigInt(limit) && value < BigInt(limit)
      )
        return value
      const hint = type.kind === "bigint" ? " (beyond 2^53, as a bigint)" : ""
      return refused(`whole numbers from ${-BigInt(limit)} to ${BigInt(limit) - 1n} only${hint}`)
    }
    case "float":
      // SQLite drops the sign of zero: -0 is 0 on both.
      if (typeof value === "number" && Number.isFinite(value)) return value === 0 ? 0 : value
      if (typeof value === "bigint" && Number.isFinite(Number(value)) && BigInt(Number(value)) === value) {
        return Number(value)
      }
      return refused("finite numbers only; NaN and ±Infinity have no value SQLite keeps")
    case "numeric":
      return checkedNumeric(value, type, column)
    case "string":
    case "text":
    case "enum":
    case "uuid":
      if (typeof value !== "string") return refused("strings only")
      if (value.includes("\u0000")) {
        return refused("NUL (U+0000): PostgreSQL cannot store it in text and SQLite cuts the text there")
      }
      if (!(value as WellFormed).isWellFormed()) {
        return refused(
          "a lone surrogate (half a UTF-16 pair, as from cutting text mid-character) has no UTF-8 form",
        )
      }
      if (type.kind === "uuid" && !UUID.test(value)) {
        return refused("the lowercase 8-4-4-4-12 hex form only, as crypto.randomUUID() gives")
      }
      if (column) checkTextCapacity(value, type, refused)
      return value
    case "boolean":
      return typeof value === "boolean" ? value : refused("true or false only")
    case "datetime": {
      const time = value instanceof Date ? value.getTime() : Number.NaN
      if (time >= FIRST_DAY && time <= LAST_MOMENT) return value
      return refused(value instanceof Date ? "dates of years 1 to 9999 only" : "Date objects only")
    }
    case "date": {
      const day = typeof value === "string" && DAY.test(value) ? new Date(`${value}T00:00:00Z`) : undefined
      const valid =
        day !== undefined && day.getTime() >= FIRST_DAY && day.toISOString().startsWith(value as string)
      return valid ? value : refused('"YYYY-MM-DD" strings of real days in years 1 to 9999 only')
    }
    case "json":
      return jsonText(value, refused)
    case "binary":
      return value instanceof Uint8Array ? value : refused("Uint8Array bytes only")
    default:
      return value
  }
}

type WellFormed = string & { isWellFormed(): boolean }

function checkTextCapacity(value: string, type: SqlType<unknown>, refused: (why: string) => never): void {
  const { length, values } = type.options
  if (type.kind === "enum" && !values?.includes(value)) {
    refused(`one of ${values?.map((v) => JSON.stringify(v)).join(", ")} only`)
  }
  // PostgreSQL counts characters (code points); UTF-16 length is an upper bound, so most values stop here.
  if (type.kind === "string" && length !== undefined && value.length > length) {
    let characters = 0
    for (const _ of value) characters++
    if (characters > length) refused(`at most ${length} characters (this one has ${characters})`)
  }
}

function jsonText(value: unknown, refused: (why: string) => never): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (error) {
    return refused(`it is not JSON (${(error as Error).message})`)
  }
  if (text === undefined || (typeof value === "number" && !Number.isFinite(value))) {
    return refused("JSON values only: objects, arrays, strings, finite numbers, booleans")
  }
  if (text.includes("\\u") && UNSTORABLE_JSON_ESCAPE.test(text)) {
    return refused("a NUL or a lone surrogate in a string, which PostgreSQL's jsonb cannot hold")
  }
  return text
}

function checkedNumeric(value: unknown, type: SqlType<unknown>, column: Column<unknown> | undefined): string {
  const text =
    typeof value === "string"
      ? value
      : (typeof value === "number" && Number.isFinite(value)) || typeof value === "bigint"
        ? String(value)
        : undefined
  const decimal = text === undefined ? undefined : parseDecimal(text)
  if (text === undefined || !decimal) {
    return refuse(value, type, column, 'decimal text such as "-12.50" or "1.5e3" only')
  }
  const { precision, scale = 0 } = type.options
  if (column && precision !== undefined) {
    const after = Math.max(0, -decimal.exponent)
    const before = Math.max(0, decimal.digits.length + decimal.exponent)
    if (after > scale) refuse(value, type, column, `at most ${scale} digits after the point; round it first`)
    if (before > precision - scale)
      refuse(value, type, column, `at most ${precision - scale} digits before the point`)
  }
  return text
}

/** A decimal as its significant digits (no leading or trailing zeros; "" for zero) times 10^exponent. */
export interface Decimal {
  readonly negative: boolean
  readonly digits: string
  readonly exponent: number
}

const DECIMAL = /^[+-]?(?=\.?\d)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

/** `-12.50`, `.5`, `1.5e3`: the decimal spellings PostgreSQL and SQLite both read; undefined otherwise. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL.exec(text)
  if (!match) return undefined
  const [, whole = "", fraction = "", exponent = "0"] = match
  const all = whole + fraction
  const first = all.search(/[1-9]/)
  if (first === -1) return { negative: false, digits: "", exponent: 0 }
  let end = all.length
  while (all[end - 1] === "0") end--
  return {
    negative: text[0] === "-",
    digits: all.slice(first, end),
    exponent: Number(exponent) - fraction.length + (all.length - end),
  }
}

/** Throws the DataError for a value, naming the column when there is one and never echoing a long value. */
export function refuse(
  value: unknown,
  type: SqlType<unknown>,
  column: Column<unknown> | undefined,
  why: string,
): never {
  const target = column ? `${column.parent.qualifier}.${column.name} (${type.kind})` : `A ${type.kind} value`
  throw new DataError(`${target} cannot hold ${preview(value)}: ${why}`)
}

function preview(value: unknown): string {
  const text =
    typeof value === "string"
      ? JSON.stringify(value)
      : typeof value === "bigint"
        ? `${value}n`
        : value instanceof Date
          ? Number.isNaN(value.getTime())
            ? "an Invalid Date"
            : value.toISOString()
          : typeof value === "object" && value !== null
            ? `a ${value.constructor?.name ?? "object"}`
            : String(value)
  return text.length <= 40
    ? text
    : `${text.slice(0, 30).replace(/[\ud800-\udbff]$/, "")}… (${text.length} characters)`
}
