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
const UUID = /^[\da-f]{8}(-[\da-f]{4}){3}-[\da-f]{12}$/
const DAY = /^\d{4}-\d\d-\d\d$/
/** A JSON text's `\u0000` or lone-surrogate escape (JSON.stringify writes lone surrogates escaped). */
const UNSTORABLE_JSON_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/

/**
 * `value`, checked against `type` and made ready to encode: -0 as 0 in a Float, a number or bigint
 * as text in a Numeric, a JSON document as its text. `column` is given for a value written to it
 * (INSERT, UPDATE SET): its capacity (String length, Numeric precision and scale, Enum values) is
 * checked too (by the checks `insert()` and `update()` install), and the error names it. A comparison
 * may use a longer string than the column holds.
 */
export function checkedValue(value: unknown, type: SqlType<unknown>, column?: Column<unknown>): unknown {
  const refused = (why: string) => refuse(value, type, column, why)
  switch (type.kind) {
    case "smallint":
    case "integer":
    case "bigint": {
      const limit = type.kind === "integer" ? 2 ** 31 : type.kind === "smallint" ? 2 ** 15 : 2 ** 63
      const whole = typeof value === "number" ? Number.isSafeInteger(value) : typeof value === "bigint"
      // A bigint compares with a number exactly.
      if (whole && (value as number | bigint) >= -limit && (value as number | bigint) < limit) return value
      return refused(
        `whole numbers from ${-BigInt(limit)} to ${BigInt(limit) - 1n} only (bigints beyond 2^53)`,
      )
    }
    case "float":
      // SQLite drops the sign of zero: -0 is 0 on both.
      if (typeof value === "number" && Number.isFinite(value)) return value === 0 ? 0 : value
      if (typeof value === "bigint" && Number.isFinite(Number(value)) && BigInt(Number(value)) === value) {
        return Number(value)
      }
      return refused("finite numbers only")
    case "numeric":
    case "json":
    case "date":
    case "uuid":
    case "binary":
      // A type made with `new SqlType()` rather than Numeric(), Json(), DateOnly, Uuid or LargeBinary has no check.
      return type.check ? type.check(value, type, column, refused) : refused("make its type with the factory")
    case "string":
    case "text":
    case "enum":
      if (typeof value !== "string") return refused("strings only")
      if (value.includes("\u0000")) return refused("no database keeps NUL (U+0000) in text; remove it")
      if (!(value as WellFormed).isWellFormed()) return refused("a lone surrogate has no UTF-8 form")
      if (column) capacity.text?.(value, type, refused)
      return value
    case "boolean":
      return typeof value === "boolean" ? value : refused("true or false only")
    case "datetime": {
      const time = value instanceof Date ? value.getTime() : Number.NaN
      return time >= FIRST_DAY && time <= LAST_MOMENT ? value : refused("Dates of years 1 to 9999 only")
    }
    default:
      return value
  }
}

type WellFormed = string & { isWellFormed(): boolean }

/**
 * What checks a value of the types only some apps use (Numeric, Json, DateOnly, Uuid, LargeBinary): each carries
 * its own (../types.ts), so a bundle whose columns use none of them carries none of these checks.
 */
export type TypeCheck = (
  value: unknown,
  type: SqlType<unknown>,
  column: Column<unknown> | undefined,
  refused: Refused,
) => unknown
type Refused = (why: string) => never

/**
 * What a column holds beyond its type (String length, Numeric precision and scale, Enum values), checked
 * only for values written to it. Installed by what writes (`insert()`, `update()`, the SQLite flush),
 * so a bundle that only reads carries none of it.
 */
const capacity: {
  text?: (value: string, type: SqlType<unknown>, refused: Refused) => void
  numeric?: (decimal: Decimal, type: SqlType<unknown>, refused: Refused) => void
} = {}

export function installCapacityChecks(): void {
  capacity.text ??= checkTextCapacity
  capacity.numeric ??= checkNumericCapacity
}

function checkTextCapacity(value: string, type: SqlType<unknown>, refused: Refused): void {
  const { length, values } = type.options
  if (type.kind === "enum" && !values?.includes(value)) refused(`one of ${values?.join(", ")} only`)
  // PostgreSQL counts characters (code points); UTF-16 length is an upper bound, so most values stop here.
  if (type.kind === "string" && length !== undefined && value.length > length) {
    let characters = 0
    for (const _ of value) characters++
    if (characters > length) refused(`at most ${length} characters`)
  }
}

/** DateOnly's check: `YYYY-MM-DD` of a day that exists, in years 1 to 9999. */
export function checkedDay(value: unknown, _type: unknown, _column: unknown, refused: Refused): unknown {
  const day = typeof value === "string" && DAY.test(value) ? new Date(`${value}T00:00:00Z`) : undefined
  const valid = day && day.getTime() >= FIRST_DAY && day.toISOString().startsWith(value as string)
  return valid ? value : refused('"YYYY-MM-DD" days of years 1 to 9999 only')
}

/** Uuid's check: lowercase 8-4-4-4-12 text (PostgreSQL would write an upper-case one back in lowercase). */
export function checkedUuid(value: unknown, _type: unknown, _column: unknown, refused: Refused): unknown {
  return typeof value === "string" && UUID.test(value) ? value : refused("lowercase 8-4-4-4-12 UUIDs only")
}

/** LargeBinary's check: bytes, as a Uint8Array (a Node Buffer is one). */
export function checkedBytes(value: unknown, _type: unknown, _column: unknown, refused: Refused): unknown {
  return value instanceof Uint8Array ? value : refused("Uint8Array only")
}

/** Json's check: the document as its JSON text. */
export function jsonText(value: unknown, _type: unknown, _column: unknown, refused: Refused): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (error) {
    return refused(`not JSON (${(error as Error).message})`)
  }
  if (text === undefined || (typeof value === "number" && !Number.isFinite(value))) {
    return refused("JSON values only")
  }
  if (text.includes("\\u") && UNSTORABLE_JSON_ESCAPE.test(text)) {
    return refused("jsonb keeps no NUL or lone surrogate in strings")
  }
  return text
}

/** Numeric's check: decimal text, within the column's precision and scale when written to one. */
export function checkedNumeric(
  value: unknown,
  type: SqlType<unknown>,
  column: Column<unknown> | undefined,
  refused: Refused,
): string {
  const text =
    typeof value === "string"
      ? value
      : (typeof value === "number" && Number.isFinite(value)) || typeof value === "bigint"
        ? String(value)
        : ""
  const decimal = parseDecimal(text)
  if (!decimal) return refused('decimal text ("-12.50") only')
  if (column) capacity.numeric?.(decimal, type, refused)
  return text
}

function checkNumericCapacity(decimal: Decimal, type: SqlType<unknown>, refused: Refused): void {
  const { precision, scale = 0 } = type.options
  if (precision === undefined) return
  if (-decimal.exponent > scale) refused(`at most ${scale} digits after the point; round it`)
  if (decimal.digits + decimal.exponent > precision - scale) {
    refused(`at most ${precision - scale} digits before the point`)
  }
}

/** A decimal as `digits` significant digits, the last of them at 10^exponent (zero: 0 digits). */
export interface Decimal {
  readonly negative: boolean
  readonly digits: number
  readonly exponent: number
}

const DECIMAL = /^[+-]?(?=\.?\d)\d*(?:\.\d*)?(?:[eE][+-]?\d+)?$/
const ZERO = 48
const POINT = 46

/**
 * `-12.50`, `.5`, `1.5e3`: the decimal spellings PostgreSQL and SQLite both read; undefined otherwise.
 * Scans indices rather than capturing, as it runs for every Numeric value written.
 */
export function parseDecimal(text: string): Decimal | undefined {
  if (!DECIMAL.test(text)) return undefined
  let e = text.indexOf("e")
  if (e === -1) e = text.indexOf("E")
  const end = e === -1 ? text.length : e
  const dot = text.indexOf(".")
  const point = dot === -1 ? end : dot
  const negative = text.charCodeAt(0) === 45
  let first = negative || text.charCodeAt(0) === 43 ? 1 : 0
  while (first < end && (text.charCodeAt(first) === ZERO || text.charCodeAt(first) === POINT)) first++
  if (first === end) return { negative: false, digits: 0, exponent: 0 }
  let last = end - 1
  while (text.charCodeAt(last) === ZERO || text.charCodeAt(last) === POINT) last--
  return {
    negative,
    digits: last - first + 1 - (first < point && point < last ? 1 : 0),
    exponent: (e === -1 ? 0 : Number(text.slice(e + 1))) + (last < point ? point - last - 1 : point - last),
  }
}

/**
 * An Integer or SmallInteger the database returned, as a number; refused where a number would lose it.
 * A column mapped as Integer can hold more than the model says: a 64-bit SQLite INTEGER (an id another
 * program wrote), an int8, text SQLite took. Rounded, two rows' keys could become one; text that is no
 * decimal number is no value at all. (A fraction, as raw SQL typed Integer can give, is kept as it is.)
 */
export function readInteger(value: unknown, type: SqlType<unknown>): number {
  const number = Number(value)
  // parseFloat agrees only on decimal text: Number reads '' and ' ' as 0, '0x10' as 16.
  return Math.abs(number) < 2 ** 53 && number === parseFloat(value as string)
    ? number
    : unreadable(value, type)
}

/**
 * A BigInteger PostgreSQL returned (int8's text; a NUMERIC or float8 column mapped as one), as a
 * bigint: a fraction or text that is no whole number is refused rather than cut or thrown at.
 */
export function readBigInteger(value: unknown, type: SqlType<unknown>): bigint {
  // A whole double's text has digits alone below 1e21; BigInt takes the double itself, exactly.
  const text = String(value)
  return /^-?\d+$/.test(text) ? BigInt(value as string) : unreadable(value, type)
}

/**
 * Refuses a value the database returned that the column's type cannot read without losing it: a
 * database mapped as it was found, or written by another program, can hold what the model does not say.
 */
export function unreadable(value: unknown, type: SqlType<unknown>): never {
  // An Integer's: BigInteger, past 2^53 (README).
  return refuse(value, type, undefined, "read from the database; map the column with the type it holds")
}

/** Throws the DataError for a value, naming the column when there is one and never echoing a long value. */
export function refuse(
  value: unknown,
  type: SqlType<unknown>,
  column: Column<unknown> | undefined,
  why: string,
): never {
  const target = column
    ? `${column.parent.qualifier}.${column.name} (${type.kind})`
    : `${/^[aeiu]/.test(type.kind) ? "An" : "A"} ${type.kind} value`
  throw new DataError(`${target} cannot hold ${preview(value)}: ${why}`)
}

function preview(value: unknown): string {
  const text =
    typeof value === "string"
      ? JSON.stringify(value)
      : typeof value === "object" && value
        ? `a ${value.constructor?.name ?? "object"}`
        : String(value)
  return text.length > 40 ? `${text.slice(0, 30)}… (${text.length} characters)` : text
}
