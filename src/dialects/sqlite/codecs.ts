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
