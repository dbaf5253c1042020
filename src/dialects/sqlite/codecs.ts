// JS values to what @libsql/client should bind for SQLite. The client binds a JS number as REAL
// (even 42) and booleans and Dates inconsistently across modes, so integers go as bigint, booleans as
// 1n/0n and timestamps as sortable UTC text, the same on every transport.
import type { Column } from "../../sql/schema/column.ts"
import type { SqlType } from "../../sql/types.ts"
import {
  checkedValue,
  type Decimal,
  parseDecimal,
  readInteger,
  refuse,
  unreadable,
} from "../../sql/value-checks.ts"

export function encodeSqlite(value: unknown, type: SqlType<unknown>, column?: Column<unknown>): unknown {
  const checked = checkedValue(value, type, column)
  switch (type.kind) {
    case "numeric":
      return sqliteNumeric(checked as string, type, column)
    case "float":
      return checked
    case "boolean":
      return checked ? 1n : 0n
    case "datetime":
      return sqliteTimestamp(checked as Date)
    default:
      // Checked, the only numbers left are integers, but for an untyped value (`func.abs(x).eq(1.5)`).
      return Number.isInteger(checked) ? BigInt(checked as number) : checked
  }
}

/**
 * A NUMERIC column turns decimal text into a 64-bit integer when it is one, else into a double, which
 * keeps 15 significant digits: a value it would round is refused rather than changed. A whole number
 * of 16 to 19 digits goes as plain integer text, which SQLite keeps as an integer.
 */
function sqliteNumeric(text: string, type: SqlType<unknown>, column: Column<unknown> | undefined): string {
  // Short text with no exponent has at most 15 digits, within a double's range: most values stop here.
  if (text.length <= 15 && !/e/i.test(text)) return text
  const { negative, digits, exponent } = parseDecimal(text) as Decimal
  const magnitude = digits + exponent
  if (digits <= 15 && magnitude > -300 && magnitude <= 300) return text
  if (exponent >= 0 && magnitude <= 19) {
    const integer = BigInt(`${negative ? "-" : ""}${significantDigits(text)}${"0".repeat(exponent)}`)
    if (integer >= -(2n ** 63n) && integer < 2n ** 63n) return integer.toString()
  }
  return refuse(
    text,
    type,
    column,
    "SQLite keeps 15 significant digits (1e-300 to 1e300) or a 64-bit integer; round it or use Text",
  )
}

/** The significant digits of decimal text: `-0.0120e5` gives "12". */
function significantDigits(text: string): string {
  return text
    .replace(/e.*/i, "")
    .replace(/\D/g, "")
    .replace(/^0+|0+$/g, "")
}

/**
 * `YYYY-MM-DD HH:MM:SS.SSS` in UTC: sorts as text, and matches SQLite's own
 * `strftime('%Y-%m-%d %H:%M:%f', 'now')`, which the dialect uses for `func.now()`.
 */
export function sqliteTimestamp(date: Date): string {
  return date.toISOString().slice(0, -1).replace("T", " ")
}

/**
 * A value @libsql/client returned (with `intMode: "bigint"`) to the JS value of `type`: integers as
 * numbers unless the column is a BigInteger, 0/1 as booleans, our timestamp text as a UTC Date.
 */
export function decodeSqlite(value: unknown, type: SqlType<unknown>): unknown {
  if (value === null || value === undefined) return null
  switch (type.kind) {
    case "integer":
    case "smallint":
      return readInteger(value, type)
    case "float": {
      // Text a REAL column took from another writer: 'abc' would read NaN, '' 0.
      const number = Number(value)
      return number === parseFloat(value as string) ? number : unreadable(value, type)
    }
    case "bigint": {
      if (typeof value === "bigint") return value
      if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value)
      // A REAL (a fraction; an overflow past 2^63; a REAL column's 5.0, "5.0" as a load gives it) only
      // while whole and exact; text that is no number is no value.
      const number = Number(value)
      return Number.isSafeInteger(number) && number === parseFloat(value as string)
        ? BigInt(number)
        : unreadable(value, type)
    }
    case "numeric":
      return numericText(value, type.options.scale)
    case "boolean":
      // Text another writer stored reads as PostgreSQL's does: 'f' and 'false' are false.
      return value !== 0n && value !== 0 && value !== "0" && value !== "f" && value !== "false"
    case "date":
      // Ours is `YYYY-MM-DD` text; a number (20240506) is no day.
      return typeof value === "string" ? value : unreadable(value, type)
    case "datetime": {
      // Ours is always text: a number (epoch seconds another program stored) or text that is no
      // timestamp would be a wrong or an Invalid Date.
      const date = parseSqliteTimestamp(typeof value === "string" ? value : "")
      return Number.isNaN(date.getTime()) ? unreadable(value, type) : date
    }
    case "json":
      try {
        return JSON.parse(value as string)
      } catch {
        return unreadable(value, type)
      }
    case "binary":
      return value instanceof ArrayBuffer ? new Uint8Array(value) : value
    case "null":
      // Untyped (raw SQL, unknown functions): integers as numbers when they fit, as PostgreSQL's int4.
      return typeof value === "bigint" && Number.isSafeInteger(Number(value)) ? Number(value) : value
    default:
      return typeof value === "bigint" ? value.toString() : value
  }
}

/** Reads `YYYY-MM-DD HH:MM:SS[.SSS]` (ours and SQLite's CURRENT_TIMESTAMP) and ISO strings as UTC. */
export function parseSqliteTimestamp(text: string): Date {
  // Ours (23 characters) and CURRENT_TIMESTAMP's (19), the common case, without a regex or a search.
  if ((text.length === 23 || text.length === 19) && text.charCodeAt(10) === 32) {
    return new Date(`${text.slice(0, 10)}T${text.slice(11)}Z`)
  }
  const iso = text.includes("T") ? text : text.replace(" ", "T")
  return new Date(/z|[+-]\d\d:?\d\d$/i.test(iso) ? iso : `${iso}Z`)
}

/**
 * A NUMERIC's integer or double as decimal text, with the column's scale as PostgreSQL writes it
 * (`12.50` in a Numeric(10, 2)). A double is read to the 15 digits SQLite keeps; text that is not a
 * number (written around edgealchemy) comes back as it is.
 */
function numericText(value: unknown, scale = 0): string {
  const text = typeof value === "number" ? value.toPrecision(15) : String(value)
  const decimal = parseDecimal(text)
  if (!decimal) return text
  const places = Math.max(0, -decimal.exponent)
  const digits = significantDigits(text) + "0".repeat(Math.max(0, decimal.exponent))
  const whole = digits.padStart(places + 1, "0")
  const point = whole.length - places
  const fraction = whole.slice(point).padEnd(scale, "0")
  return `${decimal.negative && decimal.digits > 0 ? "-" : ""}${whole.slice(0, point)}${fraction ? `.${fraction}` : ""}`
}
