// JS values to what the Neon driver should send for PostgreSQL. The driver sends parameters as text;
// these encodings make that text exact (UTC timestamps, bytea hex, JSON documents, 64-bit integers).
import type { Column } from "../../sql/schema/column.ts"
import type { SqlType } from "../../sql/types.ts"
import { checkedValue, readBigInteger, readInteger, unreadable } from "../../sql/value-checks.ts"
import { hex } from "../../util/hex.ts"

export function encodePostgres(value: unknown, type: SqlType<unknown>, column?: Column<unknown>): unknown {
  // Checked, a value is of its type's JS type, and a JSON document is already its text (a JS array
  // would otherwise become a PostgreSQL array literal).
  const checked = checkedValue(value, type, column)
  if (checked instanceof Date) return checked.toISOString()
  if (typeof checked === "bigint") return checked.toString()
  if (checked instanceof Uint8Array) return byteaHex(checked)
  return checked
}

/** bytea's hex input format: `\x0a1b...`. */
export function byteaHex(bytes: Uint8Array): string {
  return `\\x${hex(bytes)}`
}

/**
 * A value the Neon driver parsed (pg-types, keyed by the wire type) to the JS value of `type`. The
 * driver's view follows the wire (int8 and numeric as strings, `date` as its text); ours follows
 * the column, so `count(*)` is a number and a Date column a `YYYY-MM-DD` string on every transport.
 */
export function decodePostgres(value: unknown, type: SqlType<unknown>): unknown {
  if (value === null || value === undefined) return null
  switch (type.kind) {
    case "integer":
    case "smallint":
      return readInteger(value, type)
    case "float":
      return Number(value)
    case "bigint":
      return readBigInteger(value, type)
    case "numeric":
      return String(value)
    case "boolean":
      // bool arrives as true/false (or "t"/"f" as text); a Boolean mapped onto an integer flag column, as
      // SQLite stores booleans, is true when nonzero.
      return value !== false && value !== "f" && value !== "false" && Number(value) !== 0
    case "datetime": {
      // Epoch milliseconds come from a one-statement load's JSON (../../sql/json-rows.ts).
      const date = value instanceof Date ? value : new Date(typeof value === "number" ? value : String(value))
      // 'infinity' would be an Invalid Date.
      return Number.isNaN(date.getTime()) ? unreadable(value, type) : date
    }
    case "date": {
      // The driver leaves a date as its text (../../drivers/neon/transport.ts) or parses it; a timestamp
      // typed as a date (a DateOnly mapped onto a timestamptz column) arrives as a Date: its UTC day.
      const day = value instanceof Date ? value.toISOString() : String(value)
      // 'infinity', a BC day ('0044-03-15 BC', a Date of year 0 or before) or a year past 9999 has no
      // YYYY-MM-DD of years 1 to 9999: cut to ten characters it was another day.
      return /^(?!0000)\d{4}-\d\d-\d\d(?!\d)(?!.*BC)/.test(day) ? day.slice(0, 10) : unreadable(value, type)
    }
    case "json":
      // The driver parsed json and jsonb already, in both modes: a string is the JSON string itself.
      return value
    case "binary":
      // Text is no bytes (a LargeBinary mapped onto a text column).
      return value instanceof Uint8Array
        ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
        : unreadable(value, type)
    default:
      return value
  }
}
