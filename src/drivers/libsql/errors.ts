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
  RequestTooLargeError,
  type StatementContext,
} from "../../errors.ts"
import { NO_COLUMN_HINT, NO_TABLE_HINT } from "../../util/schema-hints.ts"
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
/**
 * Connection failures as ./hrana.ts meets them (a failed fetch is a TypeError; workerd's "Network
 * connection lost"), and an answer not of Hrana's shape (HRANA_PROTO_ERROR: a 200 a middlebox or a
 * server of another version sent, after the server did the work): a commit so answered may have been
 * applied, and the engine says so. And a transaction's later requests once one of them was lost
 * (HRANA_CLOSED_ERROR): its stream is gone with the connection.
 */
const CONNECTION = /network|SERVER_ERROR|HRANA_(PROTO|CLOSED)|requestTimeoutMs/i
/** And as @libsql/client words its own (CLIENT_CLOSED; embedded, ./transport.ts) and as Node's sockets would. */
const CLIENT_CONNECTION =
  /fetch failed|ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|other side closed|Failed to fetch|HRANA_WEBSOCKET|CLIENT_CLOSED/i
/**
 * The value, not the SQL: too big for SQLite's limits, text where an INTEGER PRIMARY KEY wants an
 * integer, integer overflow in arithmetic or sum(), JSON functions given malformed JSON.
 */
const DATA = /SQLITE_TOOBIG|SQLITE_MISMATCH|datatype mismatch|too big|integer overflow|malformed JSON/i

/** An error of the embedded @libsql/client (./transport.ts) as ours. */
export function translateLibsqlError(error: unknown, query: Query | undefined): EdgeAlchemyError {
  // The embedded client repeats the code ("SQLITE_CONSTRAINT: SQLITE_CONSTRAINT: ..."): once is enough.
  const message = messageOf(error).replace(/^(\w+): \1: /, "$1: ")
  return CLIENT_CONNECTION.test(`${codeOf(error)}\n${message}`)
    ? new ConnectionError(message, contextOf(error, query))
    : translateHranaError(error, query, message)
}

/** An error of ./hrana.ts (edgealchemy/libsql over HTTP) as ours. */
export function translateHranaError(
  error: unknown,
  query: Query | undefined,
  message = messageOf(error),
): EdgeAlchemyError {
  const code = codeOf(error)
  const context = contextOf(error, query)
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
    // A CHECK's detail is its name; any other's, its columns.
    const named = kind === "check" ? detail || undefined : undefined
    return new IntegrityError(message, { kind, columns, constraint: named }, context)
  }
  // Each pattern is tested against the code and the message; no alternative spans the line between.
  const said = `${code}\n${message}`
  if (DATA.test(said)) return new DataError(message, context)
  if (PROGRAMMING.test(said)) {
    // A table never created (SQLite's own sqlite_sequence aside: ../../orm/session-changes.ts says why),
    // or a column a model has gained since (SELECT's and UPDATE's "no such column", INSERT's "has no
    // column named"); a column misspelt in SQL by hand reads the same, hence the "if".
    const hint = /no such table: (?!sqlite_)/.test(message)
      ? NO_TABLE_HINT
      : /no such column|has no column named/.test(message)
        ? NO_COLUMN_HINT
        : ""
    return new ProgrammingError(message + hint, context)
  }
  // An answer over the server's limit fails the same way every time: not a connection's failure. An
  // autocommitted write so answered ran: the transport reports it as an UnknownOutcomeError before this.
  if (code === "RESPONSE_TOO_LARGE") return new ProgrammingError(`${message}: return fewer rows`, context)
  // So does a request over its limit (HTTP 413), which the server refused before running any of it.
  if (/status 413/.test(message))
    return new RequestTooLargeError(`${message}: commit in smaller pieces`, context)
  // The server refused the request's token (Turso: none given, a wrong or rotated one): no retry helps.
  if (/status 40[13]\b/.test(message))
    return new ConnectionError(`${message}: the auth token is missing or refused (authToken)`, context)
  // A SyntaxError: an answer that is not JSON (a middlebox's page in place of the server's).
  if (CONNECTION.test(said) || error instanceof TypeError || error instanceof SyntaxError)
    return new ConnectionError(message, context)
  // Any other code (a lock, SQLITE_BUSY, an expired stream: STREAM_EXPIRED) is the database's condition now.
  // Only a transaction's stream lives past its request: expired, the server rolled that transaction back.
  if (code === "STREAM_EXPIRED")
    return new OperationalError(`${message}: the transaction was rolled back; run it again`, context)
  return code ? new OperationalError(message, context) : new DatabaseError(message, context)
}

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null | undefined)?.code ?? "")
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function contextOf(error: unknown, query: Query | undefined): StatementContext {
  return { cause: error, sql: query?.sql, params: query?.params }
}
