// `op`, what a revision's upgrade and downgrade receive: each call records one operation, as data.
// Nothing runs while a revision is read; the runner renders the recorded operations for the target
// dialect and sends them, with the version-table update, as one atomic request.
import { InvalidRequestError } from "../errors.ts"
import type { ReferentialAction } from "../sql/schema/column.ts"
import type { SqlType } from "../sql/types.ts"
import type { ServerDefault } from "./defaults.ts"

/** A column as a revision declares it. Columns are NOT NULL unless `nullable: true`, as in models. */
export interface ColumnDef {
  readonly name: string
  /** A Core type (`Integer`, `String(50)`), or a type's SQL spelling used as written (`"tsvector"`). */
  readonly type: SqlType<unknown> | string
  readonly nullable?: boolean
  /** The server default, as in models: `"draft"`, `0`, `true`, `func.now()`, `literalColumn("CURRENT_DATE")`. */
  readonly default?: ServerDefault
  readonly primaryKey?: boolean
  /** An integer primary key the database generates (identity on PostgreSQL, rowid on SQLite). */
  readonly autoincrement?: boolean
  /**
   * SQLite only (PostgreSQL ignores it): the sole primary key declared `PRIMARY KEY DESC`. Declared
   * INTEGER, such a key is not the rowid but a plain key beside it, as SQLite keeps it; autogenerate
   * writes it for a key it reads so.
   */
  readonly descendingKey?: boolean
  /**
   * SQLite only (PostgreSQL's identity never reuses a value, and ignores it): the generated key is
   * `INTEGER PRIMARY KEY AUTOINCREMENT`, so a deleted row's id is never given again. Needs `primaryKey`
   * and `autoincrement` on the table's only key column. Models ask for it with `sqliteAutoincrement: true`.
   */
  readonly sqliteAutoincrement?: boolean
}

export interface ForeignKeyDef {
  readonly name?: string
  readonly columns: readonly string[]
  readonly referencedTable: string
  readonly referencedColumns: readonly string[]
  readonly onDelete?: ReferentialAction
  readonly onUpdate?: ReferentialAction
}

export interface TableExtras {
  /** A composite primary key (a single one may be marked on its column instead). */
  readonly primaryKey?: readonly string[]
  readonly foreignKeys?: readonly ForeignKeyDef[]
  readonly uniques?: readonly { readonly name?: string; readonly columns: readonly string[] }[]
  readonly checks?: readonly { readonly name?: string; readonly sql: string }[]
}

/** What `alterColumn` changes; absent fields stay as they are. `default: null` drops the default. */
export interface ColumnChanges {
  readonly type?: SqlType<unknown> | string
  readonly nullable?: boolean
  readonly default?: ServerDefault | null
  readonly newName?: string
  /** SQLite only: gives the table's generated key AUTOINCREMENT, or takes it away (a rebuild); nothing on PostgreSQL. */
  readonly sqliteAutoincrement?: boolean
}

export type Operation =
  | {
      readonly kind: "createTable"
      readonly table: string
      readonly columns: readonly ColumnDef[]
      readonly extras: TableExtras
    }
  | { readonly kind: "dropTable"; readonly table: string }
  | { readonly kind: "renameTable"; readonly table: string; readonly newName: string }
  | { readonly kind: "addColumn"; readonly table: string; readonly column: ColumnDef }
  | { readonly kind: "dropColumn"; readonly table: string; readonly column: string }
  | {
      readonly kind: "alterColumn"
      readonly table: string
      readonly column: string
      readonly changes: ColumnChanges
    }
  | {
      readonly kind: "createIndex"
      readonly table: string
      readonly name: string
      readonly columns: readonly string[]
      readonly unique: boolean
    }
  | { readonly kind: "dropIndex"; readonly table: string; readonly name: string }
  | {
      readonly kind: "createForeignKey"
      readonly table: string
      readonly foreignKey: ForeignKeyDef & { readonly name: string }
    }
  | {
      readonly kind: "createUniqueConstraint"
      readonly table: string
      readonly name: string
      readonly columns: readonly string[]
    }
  | {
      readonly kind: "createCheckConstraint"
      readonly table: string
      readonly name: string
      readonly sql: string
    }
  | { readonly kind: "dropConstraint"; readonly table: string; readonly name: string }
  | {
      readonly kind: "bulkInsert"
      readonly table: string
      readonly rows: readonly Readonly<Record<string, unknown>>[]
    }
  | { readonly kind: "execute"; readonly sql: string }

/**
 * The recorder behind `op`. Example, in a revision's `upgrade(op)`:
 *
 *   op.addColumn("users", { name: "bio", type: Text, nullable: true })
 *   op.createIndex("ix_users_bio", "users", ["bio"])
 *
 * PostgreSQL: `ALTER TABLE users ADD COLUMN bio TEXT` / `CREATE INDEX ix_users_bio ON users (bio)`;
 * SQLite the same, and a table rebuild for what its ALTER TABLE cannot do.
 */
export class Operations {
  readonly #recorded: Operation[] = []

  /** The operations recorded so far, in call order. */
  get recorded(): readonly Operation[] {
    return this.#recorded
  }

  createTable(table: string, columns: readonly ColumnDef[], extras: TableExtras = {}): void {
    if (columns.length === 0)
      throw new InvalidRequestError(`createTable("${table}") needs at least one column`)
    this.record({ kind: "createTable", table, columns, extras })
  }

  dropTable(table: string): void {
    this.record({ kind: "dropTable", table })
  }

  renameTable(table: string, newName: string): void {
    this.record({ kind: "renameTable", table, newName })
  }

  addColumn(table: string, column: ColumnDef): void {
    this.record({ kind: "addColumn", table, column })
  }

  dropColumn(table: string, column: string): void {
    this.record({ kind: "dropColumn", table, column })
  }

  /** Changes a column's type, nullability, default or name: `op.alterColumn("users", "bio", { nullable: false })`. */
  alterColumn(table: string, column: string, changes: ColumnChanges): void {
    if (Object.keys(changes).length === 0) {
      throw new InvalidRequestError(
        `alterColumn("${table}", "${column}") changes nothing: give type, nullable, default, newName or sqliteAutoincrement`,
      )
    }
    this.record({ kind: "alterColumn", table, column, changes })
  }

  createIndex(
    name: string,
    table: string,
    columns: readonly string[],
    options: { unique?: boolean } = {},
  ): void {
    this.record({ kind: "createIndex", table, name, columns, unique: options.unique === true })
  }

  dropIndex(name: string, table: string): void {
    this.record({ kind: "dropIndex", table, name })
  }

  createForeignKey(
    name: string,
    table: string,
    referencedTable: string,
    columns: readonly string[],
    referencedColumns: readonly string[],
    options: { onDelete?: ReferentialAction; onUpdate?: ReferentialAction } = {},
  ): void {
    this.record({
      kind: "createForeignKey",
      table,
      foreignKey: { name, columns, referencedTable, referencedColumns, ...options },
    })
  }

  createUniqueConstraint(name: string, table: string, columns: readonly string[]): void {
    this.record({ kind: "createUniqueConstraint", table, name, columns })
  }

  /** `sql` is the condition, without CHECK ( ): `op.createCheckConstraint("ck_users_age", "users", "age >= 0")`. */
  createCheckConstraint(name: string, table: string, sql: string): void {
    this.record({ kind: "createCheckConstraint", table, name, sql })
  }

  /** Drops a foreign key, unique or check constraint by name. */
  dropConstraint(name: string, table: string): void {
    this.record({ kind: "dropConstraint", table, name })
  }

  /** Inserts rows, keyed by column name; values are written into the SQL as escaped literals. */
  bulkInsert(table: string, rows: readonly Readonly<Record<string, unknown>>[]): void {
    if (rows.length > 0) this.record({ kind: "bulkInsert", table, rows })
  }

  /**
   * Raw SQL, run as written, in the revision's transaction. One statement per call: a second one is
   * refused before anything is sent (embedded libSQL would silently skip it). On SQLite, what
   * it changes in the schema is seen by rebuilds in later revisions (the runner reads the schema
   * again), not by later operations of the same revision, but for a CREATE INDEX or DROP INDEX (and
   * DROP TRIGGER), which a later rebuild of the table in the same revision, and `migrate sql`, follow.
   */
  execute(sql: string): void {
    this.record({ kind: "execute", sql })
  }

  private record(operation: Operation): void {
    this.#recorded.push(Object.freeze(operation))
  }
}
