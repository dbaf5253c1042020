// JS values to what the Neon driver should send for PostgreSQL. The driver sends parameters as text;
// these encodings make that text exact (UTC timestamps, bytea hex, JSON documents, 64-bit integers).
import type { SqlType } from "../../sql/types.ts"

export function encodePostgres(value: unknown, type: SqlType<unknown>): unknown {
  switch (type.kind) {
    case "json":
      // The driver would turn a JS array into a PostgreSQL array literal; a JSON column wants JSON.
      return JSON.stringify(value)
    case "binary":
      return value instanceof Uint8Array ? byteaHex(value) : value
    default:
      return encodeByValue(value)
  }
}

function encodeByValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === "bigint") return value.toString()
  if (value instanceof Uint8Array) return byteaHex(value)
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return JSON.stringify(value)
  return value
}

/** bytea's hex input format: `\x0a1b...`. */
export function byteaHex(bytes: Uint8Array): string {
  let hex = "\\x"
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0")
  return hex
}

/**
 * A value the Neon driver parsed (pg-types, keyed by the wire type) to the JS value of `type`. The
 * driver's view follows the wire (int8 and numeric as strings, `date` as local midnight); ours follows
 * the column, so `count(*)` is a number and a Date column a `YYYY-MM-DD` string on every transport.
 */
export function decodePostgres(value: unknown, type: SqlType<unknown>): unknown {
  if (value === null || value === undefined) return null
  switch (type.kind) {
    case "integer":
    case "smallint":
    case "float":
      return Number(value)
    case "bigint":
      return BigInt(value as string | number)
    case "numeric":
      return String(value)
    case "boolean":
      return value === true || value === "t" || value === "true"
    case "datetime":
      return value instanceof Date ? value : new Date(String(value))
    case "date":
      return value instanceof Date ? localDate(value) : String(value).slice(0, 10)
    case "json":
      return typeof value === "string" ? JSON.parse(value) : value
    case "binary":
      return value instanceof Uint8Array
        ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
        : value
    default:
      return value
  }
}

/** pg-types parses `date` at local midnight; read it back with local getters. */
function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0")
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}
