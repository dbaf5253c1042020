// The rows a flush's request brings back, read by the session rather than by the connection. A commit
// sends its flush and COMMIT as one atomic request: a row read by the connection, as a query's are, is
// read after the database committed, and a value the model's type cannot read (a server default or a
// trigger wrote PostgreSQL's 'infinity' into a DateTime, text into an Integer on SQLite, an id past
// 2^53) threw there, as if the request had failed. The session then took the commit for a failed one:
// its objects pending again, without keys, for a retry to insert a second time. Read here, a value
// that cannot be read is known for what it is: inside an interactive transaction (before its COMMIT)
// the flush fails and is rolled back; after a commit it is left unloaded on its object (./render.ts,
// applyRow) and the commit is reported applied (CommittedButUnreadableError).
//
// SQLAlchemy reads RETURNING rows as each statement of the flush runs, before COMMIT (persistence.py,
// _emit_insert_statements), so there such a failure rolls back with the flush. Here the rows arrive
// with the COMMIT's answer, when nothing can be rolled back: the commit stands, and the value is not
// invented.

import { Result } from "../../engine/result.ts"
import { decodeRow, slotsOf } from "../../engine/row-shape.ts"
import {
  CommittedButUnreadableError,
  DataError,
  type EdgeAlchemyError,
  InvalidRequestError,
} from "../../errors.ts"
import type { Dialect } from "../../sql/compiler/dialect.ts"
import type { Statement } from "../../sql/statement.ts"
import { TextStatement } from "../../sql/text.ts"
import type { InstanceState } from "../state.ts"

/** A value of a returned row its column's type could not read: applyRow leaves its attribute unloaded. */
export class Unreadable {
  constructor(readonly error: DataError) {}
}

/**
 * `statement` as sent with a flush: its rows come back as the driver gives them, for `readReturned`
 * or `readRows` to decode. (The flush's own statements are text; a query sent after them is compiled.)
 */
export function undecoded(statement: Statement, dialect: Dialect): Statement {
  const { sql, params } = statement instanceof TextStatement ? statement : statement.compile(dialect)
  return new TextStatement(sql, [], params)
}

/**
 * A flush statement's rows (from its `undecoded` form), each value decoded with its column's type; one
 * that cannot be is an Unreadable, and its error goes to `refused`.
 */
export function readReturned(
  rows: readonly (readonly unknown[])[],
  statement: Statement,
  dialect: Dialect,
  refused: DataError[],
): unknown[][] {
  const types = statement instanceof TextStatement ? statement.columnTypes : []
  return rows.map((row) =>
    row.map((value, i) => {
      const type = types[i]
      if (!type) return value
      try {
        return dialect.decode(value, type)
      } catch (error) {
        if (!(error instanceof DataError)) throw error
        refused.push(error)
        return new Unreadable(error)
      }
    }),
  )
}

/** A query's result sent `undecoded`, decoded as the connection decodes one. */
export function readRows(
  result: Result<unknown[]>,
  statement: Statement,
  dialect: Dialect,
): Result<unknown[]> {
  const slots = slotsOf(statement)
  const rows = result.rows.map((row) => decodeRow(row, slots, dialect))
  return new Result(rows, result.columns, result.rowsAffected, statement)
}

/**
 * The error of a commit that was applied but whose answer held values the models cannot read: `refused`
 * the first such value's error, `unkeyed` the new objects whose keys could not be read (detached).
 */
export function committedButUnreadable(
  refused: DataError,
  unkeyed: readonly InstanceState[],
): CommittedButUnreadableError {
  const names = [...new Set(unkeyed.map((state) => state.mapper.name))].join(", ")
  const detached = unkeyed.length
    ? `; ${unkeyed.length} new ${names} whose key could not be read ${unkeyed.length === 1 ? "is" : "are"} detached (its row is written, but cannot be identified)`
    : ""
  return new CommittedButUnreadableError(
    `The commit was applied: do not retry it, its rows are written. The database answered with a value the models cannot read (${refused.message}): it is left unloaded on its object, and refresh() reads it again${detached}`,
    { cause: refused },
  )
}

/**
 * The error of a flush for whose new objects (`missing`) no row came back: a trigger or rule that skips
 * their INSERT (SQLite's RAISE(IGNORE), a PostgreSQL BEFORE trigger returning NULL). Their rows, if any,
 * cannot be told apart; SQLAlchemy raises FlushError there. `committed`: after an atomic commit, which
 * stands (the objects are detached); else the flush failed and was rolled back.
 */
export function insertedWithoutRows(missing: readonly InstanceState[], committed: boolean): EdgeAlchemyError {
  const names = [...new Set(missing.map((state) => state.mapper.name))].join(", ")
  const what = `the rows the database returned do not match ${missing.length} new ${names} (a trigger or rule that skips an INSERT?)`
  return committed
    ? new CommittedButUnreadableError(
        `The commit was applied: do not retry it. But ${what}: ${missing.length === 1 ? "it is" : "they are"} detached; query what the table holds`,
      )
    : new InvalidRequestError(`The flush was rolled back: ${what}; nothing of it was written`)
}
