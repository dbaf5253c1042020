// `insert(table)`: one row, many rows, or rows from a select; RETURNING; upserts with ON CONFLICT.
import { InvalidRequestError } from "../errors.ts"
import type { Compiler } from "./compiler/compiler.ts"
import { renderInsert } from "./compiler/dml-renderer.ts"
import { returningItems } from "./dml-returning.ts"
import {
  type DmlTarget,
  givenValues,
  tableOf,
  type UpdateValues,
  type ValueOrExpression,
} from "./dml-target.ts"
import type { Expression, SubqueryTarget } from "./expression.ts"
import { Column, type ColumnParent } from "./schema/column.ts"
import type { ColumnSpecs, InsertRowOf, Table, TableColumns } from "./schema/table.ts"
import type { CoreRowOfItems, RowOfItems, SelectItem } from "./select-items.ts"
import { Statement } from "./statement.ts"
import { installCapacityChecks } from "./value-checks.ts"

export type InsertValues<S extends ColumnSpecs> = {
  [K in keyof InsertRowOf<S>]: ValueOrExpression<InsertRowOf<S>[K]>
}

export interface OnConflict {
  /** Column keys of the unique index or constraint that conflicts; none means any (DO NOTHING only). */
  readonly target: readonly string[]
  /** SET values for DO UPDATE; absent for DO NOTHING. */
  readonly set?: Readonly<Record<string, unknown>>
  readonly where?: Expression<unknown>
}

export interface InsertState {
  readonly table: Table
  readonly rows: readonly Readonly<Record<string, unknown>>[]
  /** The rows are one row given alone, which a next row given alone adds to. */
  readonly single?: boolean
  readonly fromSelect?: { readonly columns: readonly string[]; readonly select: SubqueryTarget }
  readonly onConflict?: OnConflict
  readonly returning: readonly SelectItem[]
}

export class Insert<S extends ColumnSpecs, Items extends readonly SelectItem[] = []> extends Statement {
  readonly kind = "insert"
  declare readonly rowType: RowOfItems<Items>
  /** Phantom: the rows Core gives (entities as arrays of column values). */
  declare readonly coreRowType: CoreRowOfItems<Items>

  constructor(readonly state: InsertState) {
    super()
    Object.freeze(this)
  }

  renderWith(compiler: Compiler): string {
    return renderInsert(compiler, this as unknown as Insert<never>)
  }

  /**
   * The rows to insert: one row or several (one multi-row INSERT); a list adds rows; one row given
   * right after one row given is the same row, as in SQLAlchemy (`values({ a }).values({ b })` inserts
   * `{ a, b }`). An empty list is refused: sent, it would insert one row of defaults (`DEFAULT VALUES`).
   */
  values(rows: InsertValues<S> | readonly InsertValues<S>[]): Insert<S, Items> {
    if (this.state.fromSelect) throw new InvalidRequestError("This INSERT already inserts from a SELECT")
    const single = !Array.isArray(rows)
    if (!single && rows.length === 0) {
      throw new InvalidRequestError(
        `insert(${this.state.table.name}).values([]) has no rows: sent, it would insert one row of defaults (DEFAULT VALUES). Skip the statement when the list is empty (insert() without values() is a row of defaults)`,
      )
    }
    const list = (single ? [rows] : (rows as readonly InsertValues<S>[])).map((row) =>
      givenValues(row as Readonly<Record<string, unknown>>),
    )
    for (const row of list) this.#checkKeys(Object.keys(row))
    const [previous] = this.state.rows
    if (single && this.state.single && previous) {
      return new Insert({ ...this.state, rows: [{ ...previous, ...list[0] }] })
    }
    return new Insert({
      ...this.state,
      rows: [...this.state.rows, ...list],
      single: single && this.state.rows.length === 0,
    })
  }

  /** `INSERT INTO t (columns) SELECT ...`. */
  fromSelect(columns: readonly (keyof S & string)[], select: SubqueryTarget): Insert<S, Items> {
    if (this.state.rows.length > 0) throw new InvalidRequestError("This INSERT already has values() rows")
    this.#checkKeys(columns)
    return new Insert({ ...this.state, fromSelect: { columns, select } })
  }

  returning<const R extends readonly SelectItem[]>(...items: R): Insert<S, R> {
    return new Insert<S, R>({ ...this.state, returning: returningItems("INSERT", this.state.table, items) })
  }

  /** `ON CONFLICT [(target)] DO NOTHING`. */
  onConflictDoNothing(options: { target?: readonly (keyof S & string)[] } = {}): Insert<S, Items> {
    const target = options.target ?? []
    this.#checkKeys(target)
    return new Insert({ ...this.state, onConflict: { target } })
  }

  /**
   * `ON CONFLICT (target) DO UPDATE SET ...`; `set` may use the row that was refused through `excluded`:
   * `onConflictDoUpdate({ target: ["email"], set: (excluded) => ({ name: excluded.name }) })`.
   */
  onConflictDoUpdate(options: {
    target: readonly (keyof S & string)[]
    set: UpdateValues<S> | ((excluded: TableColumns<S>) => UpdateValues<S>)
    where?: Expression<boolean | null>
  }): Insert<S, Items> {
    if (options.target.length === 0) {
      throw new InvalidRequestError("onConflictDoUpdate needs a target: the columns of a unique key")
    }
    this.#checkKeys(options.target)
    const set =
      typeof options.set === "function"
        ? options.set(excludedColumns(this.state.table as Table<S>))
        : options.set
    this.#checkKeys(Object.keys(set))
    if (Object.keys(givenValues(set)).length === 0) {
      throw new InvalidRequestError(
        "onConflictDoUpdate needs a set of at least one column; use onConflictDoNothing",
      )
    }
    const onConflict: OnConflict = {
      target: options.target,
      set,
      ...(options.where ? { where: options.where } : {}),
    }
    return new Insert({ ...this.state, onConflict })
  }

  #checkKeys(keys: readonly string[]): void {
    for (const key of keys) this.state.table.requireColumn(key)
  }
}

export function insert<S extends ColumnSpecs>(target: DmlTarget<S>): Insert<S> {
  installCapacityChecks()
  return new Insert<S>({ table: tableOf(target), rows: [], returning: [] })
}

/** The row an upsert was refused for: PostgreSQL's and SQLite's `excluded` pseudo-table. */
const EXCLUDED: ColumnParent = /* @__PURE__ */ Object.freeze({ kind: "excluded", qualifier: "excluded" })

function excludedColumns<S extends ColumnSpecs>(table: Table<S>): TableColumns<S> {
  const columns = table.columns.map((col) => [
    col.key,
    new Column(col.key, col.name, col.type, EXCLUDED, col.spec),
  ])
  return Object.freeze(Object.fromEntries(columns)) as TableColumns<S>
}
