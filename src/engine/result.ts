// The rows of one statement, decoded and typed from it: `all`, `first`, `one`, `oneOrNone`, `scalar`,
// `scalars`, `mappings`, and iteration.
import { MultipleResultsFound, NoResultFound } from "../errors.ts"

export class Result<Row extends readonly unknown[]> implements Iterable<Row> {
  constructor(
    readonly rows: readonly Row[],
    /** Column names as the database returned them. */
    readonly columns: readonly string[],
    /** Rows inserted, updated or deleted by the statement. */
    readonly rowsAffected: number,
  ) {}

  all(): Row[] {
    return [...this.rows]
  }

  /** The first row, or undefined when there is none; further rows are ignored. */
  first(): Row | undefined {
    return this.rows[0]
  }

  /** Exactly one row, else NoResultFound or MultipleResultsFound. */
  one(): Row {
    return exactlyOne(this.rows, true) as Row
  }

  /** One row or null; more than one is MultipleResultsFound. */
  oneOrNone(): Row | null {
    return exactlyOne(this.rows, false)
  }

  /** The first column of the first row, or undefined when there is no row. */
  scalar(): Row[0] | undefined {
    return this.rows[0]?.[0]
  }

  /** The first column of every row. */
  scalars(): ScalarResult<Row[0]> {
    return new ScalarResult(this.rows.map((row) => row[0]))
  }

  /** Rows as objects keyed by column name. */
  mappings(): Record<string, unknown>[] {
    return this.rows.map((row) => Object.fromEntries(this.columns.map((name, i) => [name, row[i]])))
  }

  [Symbol.iterator](): Iterator<Row> {
    return this.rows[Symbol.iterator]()
  }
}

export class ScalarResult<T> implements Iterable<T> {
  readonly #values: readonly T[]

  constructor(values: readonly T[]) {
    this.#values = values
  }

  all(): T[] {
    return [...this.#values]
  }

  first(): T | undefined {
    return this.#values[0]
  }

  one(): T {
    return exactlyOne(this.#values, true) as T
  }

  oneOrNone(): T | null {
    return exactlyOne(this.#values, false)
  }

  [Symbol.iterator](): Iterator<T> {
    return this.#values[Symbol.iterator]()
  }
}

function exactlyOne<T>(items: readonly T[], required: boolean): T | null {
  if (items.length > 1) throw new MultipleResultsFound(`Expected one row, got ${items.length}`)
  if (items.length === 0) {
    if (required) throw new NoResultFound("Expected one row, got none")
    return null
  }
  return items[0] as T
}
