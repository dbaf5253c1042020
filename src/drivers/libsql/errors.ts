// libSQL errors as ours. Remote errors carry only the primary code and sqld's message, so the kind of
// constraint and its columns are read from SQLite's message text (`UNIQUE constraint failed: t.c`).
import {
  ConnectionError,
  DatabaseError,
  DataError,
  type EdgeAlchemyError,
  IntegrityError,
  type IntegrityKind,
  OperationalError,
  ProgrammingError,
  type StatementContext,
} from "../../errors.ts"
import type { Query } from "../transport.ts"

const CONSTRAINT = /(UNIQUE|NOT NULL|FOREIGN KEY|CHECK|PRIMARY KEY) constraint failed(?::\s*(.+))?/i
const KINDS: Record<string, IntegrityKind> = {
  UNIQUE: "unique",
  "PRIMARY KEY": "unique",
  "NOT NULL": "not_null",
  "FOREIGN KEY": "foreign_key",
  CHECK: "check",
}
const PROGRAMMING =
  /no such (table|column|function)|syntax error|has no column|ambiguous column|SQL_PARSE_ERROR|SQL_MANY_STATEMENTS|ARGS_INVALID|wrong number of arguments/i
const CONNECTION =
  /HTTP status 40[13]|fetch failed|ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|other side closed|network|Failed to fetch|SERVER_ERROR|HRANA_WEBSOCKET|CLIENT_CLOSED|requestTimeoutMs/i
/**
 * The value, not the SQL: too big for SQLite's limits, text where an INTEGER PRIMARY KEY wants an
 * integer, integer overflow in arithmetic or sum(), JSON functions given malformed JSON.
 */
const DATA = /SQLITE_TOOBIG|SQLITE_MISMATCH|datatype mismatch|too big|integer overflow|malformed JSON/i

export function translateLibsqlError(error: unknown, query: Query | undefined): EdgeAlchemyError {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : ""
  // The embedded client repeats the code ("SQLITE_CONSTRAINT: SQLITE_CONSTRAINT: ..."): once is enough.
  const message = (error instanceof Error ? error.message : String(error)).replace(/^(\w+): \1: /, "$1: ")
  const context: StatementContext = {
    cause: error,
    ...(query ? { sql: query.sql, params: query.params } : {}),
  }
  const constraint = CONSTRAINT.exec(message)
  if (code.startsWith("SQLITE_CONSTRAINT") || constraint) {
    const kind = KINDS[(constraint?.[1] ?? "").toUpperCase()] ?? "other"
    const detail = constraint?.[2]?.trim() ?? ""
    const columns =
      kind === "check"
        ? []
        : detail
            .split(",")
            .map((c) => c.trim().split(".").pop() ?? "")
            .filter(Boolean)
    const named = kind === "check" && detail ? { constraint: detail } : {}
    return new IntegrityError(message, { kind, columns, ...named }, context)
  }
  if (DATA.test(code) || DATA.test(message)) return new DataError(message, context)
  if (PROGRAMMING.test(message) || PROGRAMMING.test(code)) return new ProgrammingError(message, context)
  if (CONNECTION.test(message) || CONNECTION.test(code) || error instanceof TypeError) {
    return new ConnectionError(message, context)
  }
  if (code === "STREAM_EXPIRED" || code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new OperationalError(message, context)
  }
  return code ? new OperationalError(message, context) : new DatabaseError(message, context)
}
