// DDL statements, and MetaData's createAll/dropAll in foreign-key order. Idempotent: IF [NOT] EXISTS.
import type { Dialect } from "./compiler/dialect.ts"
import type { ForeignKeyConstraint, Index } from "./schema/constraints.ts"
import type { MetaData } from "./schema/metadata.ts"
import type { Table } from "./schema/table.ts"
import { Statement } from "./statement.ts"

export class CreateTable extends Statement {
  readonly kind = "create_table"
  constructor(
    readonly table: Table,
    /** Foreign keys left out of the table body, added afterwards (they close a cycle). */
    readonly deferredForeignKeys: readonly ForeignKeyConstraint[] = [],
  ) {
    super()
    Object.freeze(this)
  }
}

export class CreateIndex extends Statement {
  readonly kind = "create_index"
  constructor(
    readonly index: Index,
    readonly table: Table,
  ) {
    super()
    Object.freeze(this)
  }
}

/** `ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY ...`, for foreign keys on a cycle of tables. */
export class AddForeignKey extends Statement {
  readonly kind = "add_foreign_key"
  constructor(
    readonly table: Table,
    readonly foreignKey: ForeignKeyConstraint,
  ) {
    super()
    Object.freeze(this)
  }
}

export class DropTable extends Statement {
  readonly kind = "drop_table"
  constructor(
    readonly table: Table,
    /** Also drop what depends on it (PostgreSQL's CASCADE), for tables on a foreign-key cycle. */
    readonly cascade = false,
  ) {
    super()
    Object.freeze(this)
  }
}

export class DropIndex extends Statement {
  readonly kind = "drop_index"
  constructor(readonly index: Index) {
    super()
    Object.freeze(this)
  }
}

/** Where DDL runs: an engine connection, or anything that executes a statement. */
export interface DdlTarget {
  readonly dialect: Dialect
  execute(statement: Statement): Promise<unknown>
}

/**
 * The statements that create every table of `metadata` with its indexes, referenced tables first.
 * Foreign keys on a cycle are added by ALTER TABLE afterwards where the dialect can (PostgreSQL);
 * SQLite checks foreign keys only when rows change, so they stay inline there.
 */
export function createStatements(metadata: MetaData, dialect: Dialect): Statement[] {
  const { sorted, cyclic } = metadata.sortedTables()
  const canAlter = dialect.name !== "sqlite"
  const cyclicNames = new Set(cyclic.map((t) => t.name))
  const deferred = (table: Table) =>
    canAlter && cyclicNames.has(table.name)
      ? table.foreignKeys.filter((fk) => cyclicNames.has(fk.referencedTable))
      : []
  const tables = [...sorted, ...cyclic]
  return [
    ...tables.flatMap((table) => [
      new CreateTable(table, deferred(table)),
      ...table.indexes.map((index) => new CreateIndex(index, table)),
    ]),
    ...tables.flatMap((table) => deferred(table).map((fk) => new AddForeignKey(table, fk))),
  ]
}

/** The statements that drop every table of `metadata`, dependents first. */
export function dropStatements(metadata: MetaData): Statement[] {
  const { sorted, cyclic } = metadata.sortedTables()
  return [
    ...cyclic.map((table) => new DropTable(table, true)),
    ...sorted.reverse().map((table) => new DropTable(table)),
  ]
}

export async function createAll(metadata: MetaData, target: DdlTarget): Promise<void> {
  for (const statement of createStatements(metadata, target.dialect)) await target.execute(statement)
}

export async function dropAll(metadata: MetaData, target: DdlTarget): Promise<void> {
  for (const statement of dropStatements(metadata)) await target.execute(statement)
}
