// JS values to what @libsql/client should bind for SQLite. The client binds a JS number as REAL
// (even 42) and booleans and Dates inconsistently across modes, so integers go as bigint, booleans as
// 1n/0n and timestamps as sortable UTC text, the same on every transport.
import type { Column } from "../../sql/schema/column.ts"
import type { SqlType, StoredAsNumber } from "../../sql/types.ts"
import { checkedValue, readInteger, unreadable } from "../../sql/value-checks.ts"

export function encodeSqlite(value: unknown, type: SqlType<unknown>, column?: Column<unknown>): unknown {
  const checked = checkedValue(value, type, column)
  switch (type.kind) {
    case "numeric":
      // Numeric() gives its types their forms here (../../sql/numeric-store.ts); made otherwise, a
      // numeric type has no check either, and checkedValue refused the value.
      return (type as StoredAsNumber).numberStore?.write(checked as string, type, column) ?? checked
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
      return (type as StoredAsNumber).numberStore?.read(value, type) ?? String(value)
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
      // A BLOB column keeps text and numbers another writer gave it: they are no bytes.
      return value instanceof ArrayBuffer
        ? new Uint8Array(value)
        : value instanceof Uint8Array
          ? value
          : unreadable(value, type)
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
