// The schema model migrations reason about: tables as a database holds them, with types already
// spelled in the target dialect's SQL. Introspection produces it, model metadata is converted to it,
// operations transform it, and the SQLite rebuild renders tables back from it.
import type { ReferentialAction } from "../sql/schema/column.ts"
import type { SqlType } from "../sql/types.ts"
import type { ServerDefault } from "./defaults.ts"

export interface ColumnSchema {
  readonly name: string
  /** The SQL spelling in the target dialect, canonical (`VARCHAR(50)`, `TIMESTAMP WITH TIME ZONE`). */
  readonly type: string
  readonly nullable: boolean
  /** The SQL text of the DEFAULT clause in this dialect, if any (`0`, `'draft'`, `(now())`). */
  readonly default: string | undefined
  /** The default as a model or revision states it, when it came from one: the writer prefers it. */
  readonly sourceDefault?: ServerDefault
  /** A key the database generates (identity on PostgreSQL, the rowid alias on SQLite). */
  readonly autoincrement: boolean
  /**
   * SQLite only: a sole key declared `INTEGER PRIMARY KEY DESC`, which (a quirk SQLite keeps) is not the
   * rowid but a plain key: a rebuild writes it so again.
   */
  readonly descendingKey?: true
  /**
   * SQLite only: the rowid key declared `INTEGER PRIMARY KEY AUTOINCREMENT`, whose values are never given
   * again (sqlite_sequence keeps the highest one). A rebuild writes it so again and keeps that number.
   */
  readonly sqliteAutoincrement?: true
  /** The Core type it came from, when it came from a model: the revision writer prefers it. */
  readonly source?: SqlType<unknown>
}

export interface ForeignKeySchema {
  readonly name: string | undefined
  /**
   * SQLite only: declared without a name. `name` is then the conventional one models give such a key
   * (fk_<table>_<columns>_<referenced table>), by which autogenerate and op.dropConstraint know it; a
   * rebuild writes the key again unnamed, as it was.
   */
  readonly unnamed?: true
  readonly columns: readonly string[]
  readonly referencedTable: string
  readonly referencedColumns: readonly string[]
  readonly onDelete?: ReferentialAction | undefined
  readonly onUpdate?: ReferentialAction | undefined
  /**
   * PostgreSQL: what the key holds that op.createForeignKey cannot write again, as its definition says
   * it (`DEFERRABLE INITIALLY DEFERRED`, `MATCH FULL`): autogenerate warns when it replaces the key.
   */
  readonly beyondDdl?: string
}

export interface UniqueSchema {
  readonly name: string | undefined
  /** SQLite only: declared without a name; `name` is the conventional one (see ForeignKeySchema.unnamed). */
  readonly unnamed?: true
  readonly columns: readonly string[]
}

export interface CheckSchema {
  readonly name: string | undefined
  /** The condition's SQL, without the surrounding CHECK ( ). */
  readonly sql: string
}

export interface IndexSchema {
  readonly name: string
  readonly columns: readonly string[]
  readonly unique: boolean
}

export interface TableSchema {
  readonly name: string
  readonly columns: readonly ColumnSchema[]
  readonly primaryKey: readonly string[]
  readonly foreignKeys: readonly ForeignKeySchema[]
  readonly uniques: readonly UniqueSchema[]
  readonly checks: readonly CheckSchema[]
  readonly indexes: readonly IndexSchema[]
  /** SQLite only: the CREATE TRIGGER statements on the table, which a rebuild must recreate. */
  readonly triggers?: readonly string[]
  /**
   * SQLite only: the INSTEAD OF triggers of views whose SQL names this table. A rebuild leaves them (and
   * their views) as they are; it checks that they still compile.
   */
  readonly viewTriggers?: readonly { readonly view: string; readonly sql: string }[]
  /**
   * SQLite only: the CREATE INDEX statements of indexes models cannot declare (partial, on an
   * expression), which autogenerate leaves alone and a rebuild recreates as written.
   */
  readonly handMadeIndexes?: readonly { readonly name: string; readonly sql: string }[]
  /**
   * SQLite only: the table, or a column of it, was renamed earlier in the revision being rendered.
   * SQLite wrote the new name into its triggers and hand-made indexes; their SQL here predates it.
   */
  readonly renamedInRevision?: true
  /**
   * SQLite only: `op.execute` ran ALTER TABLE on it earlier in the revision being rendered (a column
   * added, renamed or dropped by hand), which this schema does not show: a rebuild would lose it.
   */
  readonly alteredInRevision?: string
  /**
   * SQLite only: what a rebuild of the table would lose, written by hand or another tool, which
   * edgealchemy's DDL cannot write again (a generated column, WITHOUT ROWID, a column's COLLATE...).
   */
  readonly rebuildLoses?: readonly string[]
}

/** Tables by name. */
export type DatabaseSchema = ReadonlyMap<string, TableSchema>

export function emptyTable(name: string): TableSchema {
  return { name, columns: [], primaryKey: [], foreignKeys: [], uniques: [], checks: [], indexes: [] }
}

/** Tables in foreign-key order (referenced first); tables on a cycle keep their given order at the end. */
export function tablesInDependencyOrder(tables: readonly TableSchema[]): TableSchema[] {
  const byName = new Map(tables.map((t) => [t.name, t]))
  const done = new Set<string>()
  const visiting = new Set<string>()
  const ordered: TableSchema[] = []
  const visit = (table: TableSchema) => {
    if (done.has(table.name) || visiting.has(table.name)) return
    visiting.add(table.name)
    for (const fk of table.foreignKeys) {
      const target = byName.get(fk.referencedTable)
      if (target && target !== table) visit(target)
    }
    visiting.delete(table.name)
    done.add(table.name)
    ordered.push(table)
  }
  for (const table of tables) visit(table)
  return ordered
}
