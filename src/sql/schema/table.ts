// `table(name, columns, options)`: a Core table. The table behind every ORM model is one of these.
import { InvalidRequestError } from "../../errors.ts"
import { Column, type ColumnParent, type ColumnSpec, type ForeignKeyOptions } from "./column.ts"
import { ForeignKeyConstraint, type Index, type TableConstraint } from "./constraints.ts"
import type { MetaData } from "./metadata.ts"

// biome-ignore lint/suspicious/noExplicitAny: a spec of any value type; `unknown` would reject `(() => T)` defaults
export type ColumnSpecs = { readonly [key: string]: ColumnSpec<any, boolean> }

export type ValueOf<S> = S extends ColumnSpec<infer T, boolean> ? T : never

/** The typed columns of a table: `users.c.username` is a `Column<string>`. */
export type TableColumns<S extends ColumnSpecs> = {
  readonly [K in keyof S & string]: Column<ValueOf<S[K]>, K>
}

/** A row as read: every column, nullable ones as `T | null`. */
export type RowOf<S extends ColumnSpecs> = { -readonly [K in keyof S]: ValueOf<S[K]> }

type RequiredKeys<S extends ColumnSpecs> = {
  [K in keyof S]: S[K] extends ColumnSpec<unknown, true> ? never : K
}[keyof S]

/** A row to insert: columns without a default, not nullable and not generated are required. */
export type InsertRowOf<S extends ColumnSpecs> = Flatten<
  { -readonly [K in RequiredKeys<S>]: ValueOf<S[K]> } & {
    -readonly [K in Exclude<keyof S, RequiredKeys<S>>]?: ValueOf<S[K]>
  }
>

/** One object type instead of an intersection, for readable hovers and exact type tests. */
type Flatten<T> = { [K in keyof T]: T[K] } & {}

export interface TableOptions {
  /** The MetaData the table belongs to: it resolves string foreign keys and orders `createAll`. */
  metadata?: MetaData
  /** Composite primary key, by column key (alternatively mark each column `primaryKey`). */
  primaryKey?: readonly string[]
  constraints?: readonly TableConstraint[]
  indexes?: readonly Index[]
  /**
   * SQLite only: `INTEGER PRIMARY KEY AUTOINCREMENT`, so that an id is never given again, not even the
   * last one after its row is deleted (without it SQLite takes max(rowid) + 1). The key must be one
   * integer column the database generates. PostgreSQL needs nothing: identity never gives a number twice.
   */
  sqliteAutoincrement?: boolean
}

export class Table<S extends ColumnSpecs = ColumnSpecs> implements ColumnParent {
  readonly kind = "table"
  /** Phantom: a row as read, `typeof users.$inferSelect`. */
  declare readonly $inferSelect: RowOf<S>
  /** Phantom: a row to insert, `typeof users.$inferInsert`. */
  declare readonly $inferInsert: InsertRowOf<S>
  // Declared, not defined: the constructor sets them, and field definitions would be bytes in every bundle.
  declare readonly c: TableColumns<S>
  declare readonly columns: readonly Column<unknown>[]
  declare readonly primaryKey: readonly Column<unknown>[]
  /** Its foreign keys, a name only where the model gave one (declaredConstraints names the others). */
  declare readonly foreignKeys: readonly ForeignKeyConstraint[]
  declare readonly metadata: MetaData | undefined
  /**
   * The options as given to `table()` or `model()`: DDL and migrations read its constraints and indexes
   * (see declaredConstraints) and `sqliteAutoincrement`.
   */
  declare readonly options: TableOptions

  constructor(
    readonly name: string,
    specs: S,
    options: TableOptions = {},
  ) {
    const columns = Object.entries(specs).map(
      ([key, spec]) => new Column(key, spec.options.name ?? key, spec.type, this, spec),
    )
    this.columns = Object.freeze(columns)
    this.c = Object.freeze(Object.fromEntries(columns.map((col) => [col.key, col]))) as TableColumns<S>
    const keyed = options.primaryKey?.map((key) => this.requireColumn(key)) ?? []
    this.primaryKey = Object.freeze(keyed.length > 0 ? keyed : columns.filter((col) => col.primaryKey))
    // Foreign keys now, as joins and relationships follow them; named, with the rest of what the table
    // declares, only where DDL or migrations ask (./declared-constraints.ts).
    const foreignKeys: ForeignKeyConstraint[] = []
    for (const col of columns) {
      const foreignKey = col.spec?.options.foreignKey
      if (foreignKey !== undefined) foreignKeys.push(this.#columnForeignKey(col, foreignKey))
    }
    for (const item of options.constraints ?? []) if (item.kind === "foreign_key") foreignKeys.push(item)
    for (const fk of foreignKeys) for (const key of fk.columns) this.requireColumn(key)
    this.foreignKeys = Object.freeze(foreignKeys)
    this.metadata = options.metadata
    this.options = options
    Object.freeze(this)
    options.metadata?.add(this)
  }

  get qualifier(): string {
    return this.name
  }

  /** The column with this attribute key or database name. */
  column(keyOrName: string): Column<unknown> | undefined {
    return (
      this.columns.find((col) => col.key === keyOrName) ?? this.columns.find((col) => col.name === keyOrName)
    )
  }

  requireColumn(keyOrName: string): Column<unknown> {
    const found = this.column(keyOrName)
    if (!found) {
      throw new InvalidRequestError(
        `Table "${this.name}" has no column "${keyOrName}" (it has ${this.columns.map((c) => c.key).join(", ")})`,
      )
    }
    return found
  }

  #columnForeignKey(col: Column<unknown>, spec: string | ForeignKeyOptions): ForeignKeyConstraint {
    const { references, name, onDelete, onUpdate }: ForeignKeyOptions =
      typeof spec === "string" ? { references: spec } : spec
    const [table, column] = splitReference(references, `${this.name}.${col.key}`)
    return new ForeignKeyConstraint([col.key], table, [column], { name, onDelete, onUpdate })
  }
}

/** A Core table: `table("users", { id: column(Integer, { primaryKey: true }), ... }, { metadata })`. */
export function table<S extends ColumnSpecs>(name: string, columns: S, options?: TableOptions): Table<S> {
  return new Table(name, columns, options)
}

function splitReference(reference: string, where: string): [string, string] {
  const dot = reference.lastIndexOf(".")
  if (dot <= 0 || dot === reference.length - 1) {
    throw new InvalidRequestError(`Foreign key of ${where} must name "table.column", got "${reference}"`)
  }
  return [reference.slice(0, dot), reference.slice(dot + 1)]
}

/**
 * The row with client-side defaults (`default`, or `onUpdate` for updates) filled in for the columns
 * it leaves out; the row itself when there is none to fill.
 */
export function withClientDefaults(
  table: Table,
  row: Readonly<Record<string, unknown>>,
  which: "default" | "onUpdate",
): Readonly<Record<string, unknown>> {
  let filled: Record<string, unknown> | undefined
  for (const col of table.columns) {
    const fallback = col.spec?.options[which]
    if (fallback === undefined || col.key in row) continue
    filled ??= { ...row }
    filled[col.key] = clientDefault(fallback)
  }
  return filled ?? row
}

/**
 * A `default` or `onUpdate` for one row: called when a function; copied when an array or object, as
 * the spec's own is shared by every row of every request (changing one row's would change them all).
 */
export function clientDefault(fallback: unknown): unknown {
  if (typeof fallback === "function") return (fallback as () => unknown)()
  return typeof fallback === "object" && fallback !== null ? structuredClone(fallback) : fallback
}

/** A primary key the database generates: the table's only key column, an integer, no foreign key, not opted out. */
export function isGeneratedKey(column: Column<unknown>): boolean {
  const table = column.parent as Table
  const options = column.spec?.options ?? {}
  return (
    table.kind === "table" &&
    table.primaryKey.length === 1 &&
    table.primaryKey[0] === column &&
    column.type.isInteger &&
    options.foreignKey === undefined &&
    options.autoincrement !== false
  )
}
