// A Numeric in a database that keeps NUMERIC as a 64-bit integer or a double (SQLite's NUMERIC affinity):
// what a written value must fit to be kept exactly, and how what comes back reads as decimal text. Only
// such a dialect uses it (../dialects/sqlite/codecs.ts), and it reaches it through the type: Numeric()
// makes its types with it (./types.ts), so that a bundle whose models have no Numeric carries none of it.
import type { Column } from "./schema/column.ts"
import type { NumberStore, SqlType } from "./types.ts"
import { type Decimal, parseDecimal, refuse } from "./value-checks.ts"

export const numberStore: NumberStore = { write: storedNumber, read: numericText }

/**
 * SQLite keeps a NUMERIC as a 64-bit integer or a double, which keeps 15 significant digits: a value it
 * would round is refused rather than changed. It is sent as that number (a double, which a NUMERIC
 * column keeps as an integer when it is whole; a whole number of 16 to 19 digits as a bigint), not as
 * its text: only a column converts text by its affinity, and SQLite orders every number before every
 * text, so `sum(amount) > '2'` (an aggregate, arithmetic or CASE has no affinity) was never true.
 */
function storedNumber(
  text: string,
  type: SqlType<unknown>,
  column: Column<unknown> | undefined,
): number | bigint {
  // Short text with no exponent has at most 15 digits, within a double's range: most values stop here.
  if (text.length <= 15 && !/e/i.test(text)) return Number(text)
  const { negative, digits, exponent } = parseDecimal(text) as Decimal
  const magnitude = digits + exponent
  // A whole number a double would round (485450181483370000) goes first as the integer it is.
  if (exponent >= 0 && magnitude <= 19) {
    const integer = BigInt(`${negative ? "-" : ""}${significantDigits(text)}${"0".repeat(exponent)}`)
    if (integer >= -(2n ** 63n) && integer < 2n ** 63n) return integer
  }
  if (digits <= 15 && magnitude > -300 && magnitude <= 300) return Number(text)
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
 * A NUMERIC's integer or double as decimal text, with the column's scale as PostgreSQL writes it
 * (`12.50` in a Numeric(10, 2)). A double is read to the 15 digits SQLite keeps; text that is not a
 * number (written around edgealchemy) comes back as it is. A Numeric(p, s) holds s decimals on
 * PostgreSQL, which rounds to them as it stores: a double with more (2.0 / 3 computed before SQLite
 * rounded such values, ./compiler/dml-renderer.ts, or written by another program) reads rounded
 * half away from zero, as PostgreSQL would have stored it, not as `0.666666666666667` in a Numeric(30, 2).
 */
function numericText(value: unknown, type: SqlType<unknown>): string {
  const { precision, scale = precision === undefined ? undefined : 0 } = type.options
  const text = typeof value === "number" ? value.toPrecision(15) : String(value)
  const decimal = parseDecimal(text)
  if (!decimal) return text
  let places = Math.max(0, -decimal.exponent)
  let digits = significantDigits(text) + "0".repeat(Math.max(0, decimal.exponent))
  if (scale !== undefined && places > scale) {
    const kept = digits.length - (places - scale)
    const rounded =
      BigInt(digits.slice(0, Math.max(0, kept)) || "0") + ((digits[kept] ?? "0") >= "5" ? 1n : 0n)
    digits = rounded === 0n ? "" : String(rounded)
    places = scale
  }
  const whole = digits.padStart(places + 1, "0")
  const point = whole.length - places
  const fraction = whole.slice(point).padEnd(scale ?? 0, "0")
  return `${decimal.negative && /[1-9]/.test(digits) ? "-" : ""}${whole.slice(0, point)}${fraction ? `.${fraction}` : ""}`
}
