// The one error hierarchy of edgealchemy. Every error the library raises is an EdgeAlchemyError;
// driver errors are wrapped exactly once, at the engine boundary, keeping the SQL and parameters.

export class EdgeAlchemyError extends Error {
  override name = "EdgeAlchemyError"
}

/** The caller asked for something the library cannot do as asked; the message names the fix. */
export class InvalidRequestError extends EdgeAlchemyError {
  override name = "InvalidRequestError"
}

/** The transport lacks a capability (interactive transactions, savepoints...) the operation needs. */
export class UnsupportedCapabilityError extends InvalidRequestError {
  override name = "UnsupportedCapabilityError"
}

export interface StatementContext {
  sql?: string | undefined
  params?: readonly unknown[] | undefined
  cause?: unknown
}

/** An error raised by the database or the way to it, while running a statement. */
export class DatabaseError extends EdgeAlchemyError {
  override name = "DatabaseError"
  // Declared, not defined: the constructor sets them, and field definitions would be bytes in every bundle.
  declare readonly sql: string | undefined
  declare readonly params: readonly unknown[] | undefined

  constructor(message: string, context: StatementContext = {}) {
    super(message, { cause: context.cause })
    this.sql = context.sql
    this.params = context.params
  }
}

export type IntegrityKind = "unique" | "foreign_key" | "not_null" | "check" | "other"

/** A constraint refused the data: a duplicate key, a dangling foreign key, a missing value. */
export class IntegrityError extends DatabaseError {
  override name = "IntegrityError"
  // Declared, not defined: the constructor sets them, and field definitions would be bytes in every bundle.
  declare readonly kind: IntegrityKind
  /** The constraint's name when the database says it (PostgreSQL does; SQLite names columns). */
  declare readonly constraint: string | undefined
  declare readonly columns: readonly string[]

  constructor(
    message: string,
    details: { kind: IntegrityKind; constraint?: string | undefined; columns?: readonly string[] },
    context: StatementContext = {},
  ) {
    super(message, context)
    this.kind = details.kind
    this.constraint = details.constraint
    this.columns = details.columns ?? []
  }
}

/**
 * The value cannot be stored or computed as given: too long for its column, not valid input for its
 * type, out of range, a division by zero (SQLAlchemy's DataError). Raised by the database, or by
 * edgealchemy before sending when a column cannot hold a value exactly (NaN in an Integer column, a
 * Numeric beyond what SQLite keeps, a lone surrogate in text).
 */
export class DataError extends DatabaseError {
  override name = "DataError"
}

/**
 * The SQL itself is wrong: a syntax error, an unknown table or column, or a query whose answer is larger
 * than the way from the database carries (Neon HTTP and libSQL: 10 MB of rows), which fails the same
 * way every time (the message says so: return fewer rows, a page at a time, or fewer columns).
 */
export class ProgrammingError extends DatabaseError {
  override name = "ProgrammingError"
}

/**
 * A request larger than the way to the database carries (Neon HTTP takes 10 MiB): nothing was applied,
 * and the same request fails the same way again. Send less at once: commit large objects in several
 * commits, keep files out of the database. The Hono handler answers 413.
 */
export class RequestTooLargeError extends DataError {
  override name = "RequestTooLargeError"
}

/** The database could not do it now: a lock, a serialization failure, an expired stream. */
export class OperationalError extends DatabaseError {
  override name = "OperationalError"
}

/** The way to the database failed: refused, dropped, authentication rejected. */
export class ConnectionError extends OperationalError {
  override name = "ConnectionError"
}

/**
 * The connection failed after a commit was sent and before its answer came: the commit may or may not
 * have been applied. Retrying blindly may apply it twice; check first, or make the write idempotent
 * (a unique request key stored in the same transaction). Failures known to come before anything was
 * sent (connection refused, a name that does not resolve) are plain ConnectionErrors.
 */
export class UnknownOutcomeError extends ConnectionError {
  override name = "UnknownOutcomeError"
}

/**
 * A commit the database applied, whose answer holds a value the models cannot read (a server default
 * or trigger wrote what the column's type does not map, such as PostgreSQL's 'infinity' in a
 * DateTime): the rows are written, and retrying would write them again. Raised by a session's commit
 * (the objects are persistent with what could be read: an attribute that could not is unloaded, one
 * whose key could not is detached) and by a write sent outside a transaction (engine.execute(), a
 * connection's execute() or batch(), a session's execute()). `cause` is the DataError of the value;
 * map the column with the type it holds.
 */
export class CommittedButUnreadableError extends EdgeAlchemyError {
  override name = "CommittedButUnreadableError"
}

/** An UPDATE or DELETE matched fewer rows than expected: someone else changed or removed the row. */
export class StaleDataError extends EdgeAlchemyError {
  override name = "StaleDataError"
}

export class NoResultFound extends InvalidRequestError {
  override name = "NoResultFound"
}

export class MultipleResultsFound extends InvalidRequestError {
  override name = "MultipleResultsFound"
}

/** Reading a relationship or attribute that was not loaded; there is no implicit I/O. */
export class NotLoadedError extends InvalidRequestError {
  override name = "NotLoadedError"
}

/**
 * A flush failed inside the session's interactive transaction, which ended with it: what it had
 * flushed before is undone, so writing more before `rollback()` would commit half the work.
 */
export class PendingRollbackError extends InvalidRequestError {
  override name = "PendingRollbackError"
}

/** The object is not attached to a session that could load or flush it. */
export class DetachedInstanceError extends InvalidRequestError {
  override name = "DetachedInstanceError"
}
