// `text(sql)`: a statement written by hand, run as is with positional parameters in the dialect's own
// placeholder style (`$1` on PostgreSQL, `?` on SQLite). `.columns(...)` types its result columns.
import { InvalidRequestError } from "../errors.ts"
import type { Compiled } from "./compiler/dialect.ts"
import { withoutNul } from "./expression.ts"
import { Statement } from "./statement.ts"
import type { SqlType } from "./types.ts"

export class TextStatement<Row extends readonly unknown[] = unknown[]> extends Statement {
  readonly kind = "text"
  declare readonly rowType: Row

  constructor(
    readonly sql: string,
    readonly columnTypes: readonly SqlType<unknown>[] = [],
    /** Parameters bound in advance, already encoded for the driver (`bind`). */
    readonly params: readonly unknown[] = [],
  ) {
    super()
    Object.freeze(this)
  }

  /** The statement with its parameters bound, so it can run in a batch: `text(sql).bind([1, "x"])`. */
  bind(params: readonly unknown[]): TextStatement<Row> {
    return new TextStatement<Row>(this.sql, this.columnTypes, params)
  }

  /** Types the result columns, in order: `text("select id, name from users").columns(Integer, Text)`. */
  columns<const T extends readonly SqlType<unknown>[]>(
    ...types: T
  ): TextStatement<{ -readonly [K in keyof T]: T[K] extends SqlType<infer V> ? V : never }> {
    return new TextStatement(this.sql, types, this.params)
  }

  override compile(): Compiled {
    return { sql: this.sql, params: this.params }
  }

  /**
   * Its rows' slots, for the engine's decoding (../engine/row-shape.ts): values of the types `.columns()`
   * gave, named as the database names them.
   */
  rowSlots(): { kind: "value"; type: SqlType<unknown>; name: undefined }[] {
    return this.columnTypes.map((type) => ({ kind: "value", type, name: undefined }))
  }

  /**
   * Whether this SQL may write, for the engine (../engine/connection.ts): a write anywhere in its code
   * (after a comment, in a CTE: `WITH v AS (...) INSERT ...`), but not the function replace() (SQLite's
   * REPLACE INTO writes).
   */
  mayWrite(): boolean {
    return WRITE_SQL.test(this.sql.replace(NOT_CODE, " "))
  }

  /**
   * Whether this SQL certainly reads only, for the engine: a SELECT that calls nothing and selects INTO
   * nothing. `SELECT nextval('s')` or `SELECT fn()` can write, and `SELECT ... INTO t` makes a table.
   * (`FOR UPDATE` locks, and writes nothing.)
   */
  readsOnly(): boolean {
    return /^\s*select\b(?!.*\binto\b)[^(]*$/is.test(this.sql.replace(NOT_CODE, " "))
  }
}

const WRITE_SQL = /\b(insert|update|delete|create|drop|alter|replace(?!\s*\())\b/i
/**
 * Comments, strings and quoted names, as SQLite reads them, scanned left to right: a quote inside a
 * comment starts no string, and `WHERE action = 'delete'` names no write. (PostgreSQL's E'' strings
 * read otherwise, but PostgreSQL refuses writes in a read-only transaction itself.)
 */
const NOT_CODE = /--[^\n]*|\/\*[\s\S]*?\*\/|'[^']*'|"[^"]*"/g

/**
 * A transaction's own statements, after any leading comments: run by hand, the session would not know
 * its transaction began or ended (on Neon's WebSocket a later commit() was then never sent, and lost).
 */
const TRANSACTION_CONTROL =
  /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(?:begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b/i

export function text(sql: string): TextStatement {
  if (TRANSACTION_CONTROL.test(sql)) {
    throw new InvalidRequestError(
      "text() does not run BEGIN, COMMIT, ROLLBACK or savepoints: use session.begin(), commit(), rollback() and beginNested()",
    )
  }
  return new TextStatement(withoutNul(sql))
}
