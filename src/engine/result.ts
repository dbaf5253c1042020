// The rows of one statement, decoded and typed from it: `all`, `first`, `one`, `oneOrNone`, `scalar`,
// `scalars`, `mappings`, and iteration.
import { MultipleResultsFound, NoResultFound } from "../errors.ts"
import type { Statement } from "../sql/statement.ts"
import { keysOf, slotsOf } from "./row-shape.ts"

/** What a result and its scalars share: items to take all, the first, or exactly one of. */
class Items<T> implements Iterable<T> {
  readonly #items: readonly T[]

  constructor(items: readonly T[]) {
    this.#items = items
  }

  all(): T[] {
    return [...this.#items]
  }

  /** The first item, or undefined when there is none; further items are ignored. */
  first(): T | undefined {
    return this.#items[0]
  }

  /** Exactly one item, else NoResultFound or MultipleResultsFound. */
  one(): T {
    return exactlyOne(this.#items, true) as T
  }

  /** One item or null; more than one is MultipleResultsFound. */
  oneOrNone(): T | null {
    return exactlyOne(this.#items, false)
  }

  [Symbol.iterator](): Iterator<T> {
    return this.#items[Symbol.iterator]()
  }
}

export class Result<Row extends readonly unknown[]> extends Items<Row> {
  constructor(
    readonly rows: readonly Row[],
    /** Column names as the database returned them. */
    readonly columns: readonly string[],
    /** Rows inserted, updated or deleted by the statement. */
    readonly rowsAffected: number,
    /** The statement whose items the rows hold, which names them (`keys`). */
    readonly statement?: Statement,
  ) {
    super(rows)
  }

  /**
   * What each item of a row is called: a value by its column (or label), an entity by its model's name
   * (or its alias's), a table by its name. Rows of raw SQL are named by their columns.
   */
  get keys(): readonly string[] {
    return this.statement ? keysOf(slotsOf(this.statement), this.columns) : this.columns
  }

  /** The first column of the first row, or undefined when there is no row. */
  scalar(): Row[0] | undefined {
    return this.rows[0]?.[0]
  }

  /** The first column of every row. */
  scalars(): ScalarResult<Row[0]> {
    return new ScalarResult(this.rows.map((row) => row[0]))
  }

  /** Rows as objects keyed by `keys`: `{ User: <User>, count: 3 }`. */
  mappings(): Record<string, unknown>[] {
    const keys = this.keys
    return this.rows.map((row) => Object.fromEntries(keys.map((name, i) => [name, row[i]])))
  }
}

export class ScalarResult<T> extends Items<T> {
  /**
   * The values less the repeats, first kept, as SQLAlchemy's `scalars(...).unique()`: objects (entities,
   * one per row in a session) by identity, other values by value. `session.scalars(select(User).join(
   * User.posts)).unique().all()` is each user once.
   */
  unique(): ScalarResult<T> {
    return new ScalarResult([...new Set(this)])
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
