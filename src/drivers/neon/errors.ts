// PostgreSQL errors from either Neon mode as ours, by SQLSTATE. Both modes carry the code, the
// constraint name and the detail (`Key (email)=(x) already exists.`), which names the columns.
import {
  ConnectionError,
  DatabaseError,
  DataError,
  type EdgeAlchemyError,
  IntegrityError,
  type IntegrityKind,
  OperationalError,
  ProgrammingError,
  RequestTooLargeError,
  type StatementContext,
} from "../../errors.ts"
import { maskUrl } from "../../util/mask-url.ts"
import { NO_COLUMN_HINT, NO_TABLE_HINT } from "../../util/schema-hints.ts"
import { mayHaveApplied } from "../outcome.ts"
import type { Query } from "../transport.ts"

/**
 * How the runtimes word a connection that failed or dropped: workerd ("Network connection lost.",
 * "The network connection was lost."), undici ("fetch failed", "other side closed"), Node ("socket
 * hang up", ECONNRESET), the driver ("Connection terminated", "Error connecting to database", a
 * WebSocket error, "Server error (HTTP status 502)"), Neon's proxy when its own connection to the
 * database dropped (its PostgreSQL client's "connection closed", "error communicating with the
 * server: ...", answered 400 with no SQLSTATE), a round trip that outlived requestTimeoutMs, and a
 * batch answered 200 with a body not of Neon's shape ("Neon internal error: unexpected result format":
 * a middlebox's, after the proxy did the work).
 */
const LOST =
  /HTTP status|fetch failed|ECONN(REFUSED|RESET)|EPIPE|socket hang up|other side closed|WebSocket|Connection (terminated|closed)|error communicating|connecting to database|network connection|requestTimeoutMs|Neon internal/i

/**
 * A write anywhere in the SQL (`WITH ... INSERT` too): the engine's words (mayWrite's), spelled alike, so
 * that the bundle's gzip takes them once.
 */
const WRITE = /\b(insert|update|delete|create|drop|alter|replace(?!\s*\())\b/i

const INTEGRITY: Record<string, IntegrityKind> = {
  "23505": "unique",
  "23503": "foreign_key",
  "23502": "not_null",
  "23514": "check",
}

interface PgErrorFields {
  message?: unknown
  /** "error" on a WebSocket's ErrorEvent. */
  type?: unknown
  code?: unknown
  constraint?: unknown
  column?: unknown
  detail?: unknown
}

export function translateNeonError(error: unknown, query: Query | undefined): EdgeAlchemyError {
  // Anything but null and undefined can be read; a primitive has none of these fields.
  const fields = (error ?? {}) as PgErrorFields
  const code = typeof fields.code === "string" ? fields.code : ""
  // A WebSocket's failure is an ErrorEvent, not an Error (String() of it is "[object Object]").
  const said = fields.message
  // An answer other than 200 and 400 is the driver's "Server error (HTTP status 413): <body>", and
  // Neon's body is JSON, its message first: that message is what the user reads (a gateway's page,
  // not JSON, stays as it is).
  const message = maskUrl(typeof said === "string" && said ? said : String(error)).replace(
    /{"message":"(.*?)".*/,
    "$1",
  )
  // The driver's words for a connection string it cannot parse quote it, password and all: masked, in
  // its own error too, which logs print as the cause.
  if (error instanceof Error) error.message = maskUrl(error.message)
  const context: StatementContext = { cause: error, sql: query?.sql, params: query?.params }
  if (code.startsWith("23")) {
    const constraint = typeof fields.constraint === "string" ? fields.constraint || undefined : undefined
    return new IntegrityError(
      message,
      { kind: INTEGRITY[code] ?? "other", columns: columnsOf(fields), constraint },
      context,
    )
  }
  // Class 22: the value, not the SQL: too long (22001), out of range (22003), division by zero
  // (22012), not valid for its type (22P02, 22007, 22008), a NUL (22021), a bad JSON escape (22P05).
  if (code.startsWith("22")) return new DataError(message, context)
  // 42P01: a table never created; 42703: a column a model has gained since, or one misspelt in SQL by
  // hand (hence the "if").
  if (code.startsWith("42"))
    return new ProgrammingError(
      message + (code === "42P01" ? NO_TABLE_HINT : code === "42703" ? NO_COLUMN_HINT : ""),
      context,
    )
  // Neon's limits, 10 MiB each way, fail the same request the same way again: no connection's failure,
  // and no "retry". A batch answered 507 (the transport marks it: Neon rolls it back) or a statement with
  // no write did nothing; a single write may have run in autocommit, and stays a ConnectionError, which
  // the engine reports as an UnknownOutcomeError.
  if (/status 413/.test(message))
    return new RequestTooLargeError(`${message}: commit in smaller pieces`, context)
  if (/status 507/.test(message) && !(mayHaveApplied(error) && WRITE.test(query?.sql as string)))
    return new ProgrammingError(`${message}: return fewer rows`, context)
  if (
    /^(08|28|53|57P0)/.test(code) ||
    LOST.test(message) ||
    error instanceof TypeError ||
    // An answer that is not JSON (a middlebox's page in place of Neon's): the request's fate is unknown.
    error instanceof SyntaxError ||
    fields.type === "error"
  ) {
    return new ConnectionError(message, context)
  }
  if (/^(40|55|25)/.test(code)) return new OperationalError(message, context)
  return new DatabaseError(message, context)
}

/** Columns named by the error: its `column` field (NOT NULL), or the key list of its detail. */
function columnsOf(fields: PgErrorFields): string[] {
  if (typeof fields.column === "string" && fields.column) return [fields.column]
  // `Key (a, b)=(...)`; an expression index's key (`lower(email::text)`) names no column.
  const names = typeof fields.detail === "string" ? /Key \((.*)\)=\(/.exec(fields.detail)?.[1] : undefined
  return names && /^[\w" ,]+$/.test(names) ? names.split(",").map((c) => c.trim().replace(/^"|"$/g, "")) : []
}
