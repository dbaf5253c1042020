// The three kinds of failure sqld distinguishes, and how each reaches the client:
// - ProtocolError: the client broke the protocol (bad JSON, reused baton, unknown sql_id). sqld answers
//   HTTP 400 with a text/plain body and drops the stream (its connection, hence its transaction).
// - StreamExpiredError: the stream idled too long. sqld answers HTTP 500 with a JSON Error, code
//   STREAM_EXPIRED.
// - HranaError: one request of the pipeline failed (SQL error, bad arguments). It becomes that request's
//   `{"type": "error"}` result; the other requests and the stream carry on.

export class ProtocolError extends Error {
  override readonly name = "ProtocolError"
}

export class StreamExpiredError extends Error {
  override readonly name = "StreamExpiredError"
  readonly code = "STREAM_EXPIRED"
  constructor() {
    super("The stream has expired due to inactivity")
  }
}

export class HranaError extends Error {
  override readonly name = "HranaError"
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
  }

  toProto(): { message: string; code: string } {
    return { message: this.message, code: this.code }
  }
}

/**
 * sqld's answers when no connection can be opened for a new stream (libsql-server's
 * MakeThrottledConnection): every connection is held by an open stream and none came free within
 * 1 s ("Timed out while opening database connection"), or 128 requests already wait for one ("Too
 * many concurrent requests"). Both are HTTP 429 with a JSON `{"error"}` body; nothing of the request
 * ran.
 */
export class ConnectionLimitError extends Error {
  override readonly name = "ConnectionLimitError"
}

/** sqld's answer to a statement of a transaction whose time on the write lock is up (write-lock.ts). */
export class TransactionTimeoutError extends HranaError {
  constructor() {
    super("Transaction timed out", "TRANSACTION_TIMEOUT")
  }
}

/** Thrown by the busy-retry loop when the server stops while a statement waits for a lock, and for a
 *  statement interrupted because the server stops. */
export class ServerStoppingError extends HranaError {
  constructor() {
    super("The server is stopping", "SERVER_STOPPING")
  }
}

/** A statement interrupted because it ran longer than libsql-local's statement time limit: SQLite's
 *  error for an interrupted statement (as sqld reports it), with the reason and the setting. */
export class StatementTimeLimitError extends HranaError {
  constructor(limitMs: number) {
    super(
      `SQLite error: interrupted: the statement ran longer than ${limitMs} ms, libsql-local's statement ` +
        "time limit (statementTimeoutMs, --statement-timeout-ms)",
      "SQLITE_INTERRUPT",
    )
  }
}

/**
 * The client went away before its answer (a timeout, a cancelled fetch): its statement was
 * interrupted, the rest of its pipeline does not run, and its stream is dropped (rolling back its
 * transaction), since the baton that would name it never reaches the client. Not a HranaError, so that
 * it ends the whole request.
 */
export class RequestAbandonedError extends Error {
  override readonly name = "RequestAbandonedError"
  constructor() {
    super("The client went away before the answer")
  }
}

const PRIMARY_CODE_NAMES: Record<number, string> = {
  1: "SQLITE_ERROR",
  2: "SQLITE_INTERNAL",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  9: "SQLITE_INTERRUPT",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  12: "SQLITE_NOTFOUND",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  15: "SQLITE_PROTOCOL",
  17: "SQLITE_SCHEMA",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  21: "SQLITE_MISUSE",
  22: "SQLITE_NOLFS",
  23: "SQLITE_AUTH",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
}

/** What the native binding throws: `code` is the extended name (SQLITE_CONSTRAINT_UNIQUE), `rawCode`
 *  the extended number (2067). */
export interface NativeSqliteError {
  message: string
  code: string
  rawCode: number | undefined
}

export function asNativeSqliteError(error: unknown): NativeSqliteError | undefined {
  if (!(error instanceof Error)) return undefined
  const { code, rawCode } = error as Error & { code?: unknown; rawCode?: unknown }
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return undefined
  return { message: error.message, code, rawCode: typeof rawCode === "number" ? rawCode : undefined }
}

/** sqld reports only the primary result code (SQLITE_CONSTRAINT, never SQLITE_CONSTRAINT_UNIQUE). */
export function primaryCodeName(error: NativeSqliteError): string {
  if (error.rawCode !== undefined) {
    return PRIMARY_CODE_NAMES[error.rawCode & 0xff] ?? "SQLITE_UNKNOWN"
  }
  const known = Object.values(PRIMARY_CODE_NAMES)
    .filter((name) => error.code === name || error.code.startsWith(`${name}_`))
    .sort((a, b) => b.length - a.length)
  return known[0] ?? "SQLITE_UNKNOWN"
}

/** SQLite's own parse failures. sqld parses SQL before SQLite sees it and reports these as
 *  SQL_PARSE_ERROR, so a syntax error must not come back as SQLITE_ERROR. */
const PARSE_FAILURE = /syntax error|unrecognized token|incomplete input/

/** Maps an error thrown while preparing or running a statement to the error sqld would report. */
export function hranaErrorFromSqlite(error: unknown, phase: "prepare" | "run"): HranaError {
  if (error instanceof HranaError) return error
  const native = asNativeSqliteError(error)
  if (!native) {
    const message = error instanceof Error ? error.message : String(error)
    return new HranaError(`Internal error in libsql-local: ${message}`, "INTERNAL_ERROR")
  }
  if (phase === "prepare" && PARSE_FAILURE.test(native.message)) {
    return new HranaError(`SQL string could not be parsed: ${native.message}`, "SQL_PARSE_ERROR")
  }
  return new HranaError(`SQLite error: ${native.message}`, primaryCodeName(native))
}
