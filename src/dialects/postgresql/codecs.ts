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
