// JS values to what @libsql/client should bind for SQLite. The client binds a JS number as REAL
// (even 42) and booleans and Dates inconsistently across modes, so integers go as bigint, booleans as
// 1n/0n and timestamps as sortable UTC text, the same on every transport.
import type { SqlType } from "../../sql/types.ts"

export function encodeSqlite(value: unknown, type: SqlType<unknown>): unknown {
  switch (type.kind) {
    case "json":
      return JSON.stringify(value)
    case "float":
      return typeof value === "bigint" ? Number(value) : value
    case "numeric":
      return typeof value === "number" || typeof value === "bigint" ? value.toString() : value
    default:
      return encodeByValue(value)
  }
}

function encodeByValue(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value
  if (typeof value === "boolean") return value ? 1n : 0n
  if (value instanceof Date) return sqliteTimestamp(value)
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array))
    return JSON.stringify(value)
  return value
}

/**
 * `YYYY-MM-DD HH:MM:SS.SSS` in UTC: sorts as text, and matches SQLite's own
 * `strftime('%Y-%m-%d %H:%M:%f', 'now')`, which the dialect uses for `func.now()`.
 */
export function sqliteTimestamp(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "")
}

/**
 * A value @libsql/client returned (with `intMode: "bigint"`) to the JS value of `type`: integers as
 * numbers unless the column is a BigInteger, 0/1 as booleans, our timestamp text as a UTC Date.
 */
const MAX_SAFE = 9007199254740991n // Number.MAX_SAFE_INTEGER, as a literal so that bundles without SQLite drop it

export function decodeSqlite(value: unknown, type: SqlType<unknown>): unknown {
  if (value === null || value === undefined) return null
  switch (type.kind) {
    case "integer":
    case "smallint":
    case "float":
      return Number(value)
    case "bigint":
      return typeof value === "bigint" ? value : BigInt(Math.trunc(Number(value)))
    case "numeric":
      return String(value)
    case "boolean":
      return value !== 0n && value !== 0 && value !== "0"
    case "datetime":
      return parseSqliteTimestamp(String(value))
    case "json":
      return JSON.parse(String(value))
    case "binary":
      return value instanceof ArrayBuffer ? new Uint8Array(value) : value
    case "null":
      // Untyped (raw SQL, unknown functions): integers as numbers when they fit, as PostgreSQL's int4.
      return typeof value === "bigint" && value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value
    default:
      return typeof value === "bigint" ? value.toString() : value
  }
}

/** Reads `YYYY-MM-DD HH:MM:SS[.SSS]` (ours and SQLite's CURRENT_TIMESTAMP) and ISO strings as UTC. */
export function parseSqliteTimestamp(text: string): Date {
  const iso = text.includes("T") ? text : text.replace(" ", "T")
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`)
}
