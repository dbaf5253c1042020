// DDL statements, and MetaData's createAll/dropAll in foreign-key order. Idempotent: IF [NOT] EXISTS.

import type { Compiler } from "./compiler/compiler.ts"
import { renderDdl } from "./compiler/ddl-renderer.ts"
import type { Dialect } from "./compiler/dialect.ts"
import { checkTableColumns } from "./schema/column-checks.ts"
import type { ForeignKeyConstraint, Index } from "./schema/constraints.ts"
import { declaredConstraints } from "./schema/declared-constraints.ts"
import { checkMetadataNames } from "./schema/identifier-limits.ts"
import { type MetaData, sortedTables } from "./schema/metadata.ts"
import type { Table } from "./schema/table.ts"
import { Statement } from "./statement.ts"
import { TextStatement } from "./text.ts"

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

  renderWith(compiler: Compiler): string {
    return renderDdl(compiler, this)
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

  renderWith(compiler: Compiler): string {
    return renderDdl(compiler, this)
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

  renderWith(compiler: Compiler): string {
    return renderDdl(compiler, this)
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

  renderWith(compiler: Compiler): string {
    return renderDdl(compiler, this)
  }
}

export class DropIndex extends Statement {
  readonly kind = "drop_index"
  constructor(readonly index: Index) {
    super()
    Object.freeze(this)
  }

  renderWith(compiler: Compiler): string {
    return renderDdl(compiler, this)
  }
}

/** Where DDL runs: an engine connection, or anything that executes a statement (and batches, ideally). */
export interface DdlTarget {
  readonly dialect: Dialect
  execute(statement: Statement): Promise<unknown>
  /** Runs statements atomically in one request; createAll and dropAll use it when it is there. */
  batch?(statements: readonly Statement[]): Promise<unknown>
  /** An engine's connection, which batches: createAll(metadata, engine) is one request, as on a connection. */
  connect?(): DdlTarget & { close(): Promise<void> }
}

/**
 * The statements that create every table of `metadata` with its indexes, referenced tables first.
 * Foreign keys on a cycle are added by ALTER TABLE afterwards where the dialect can (PostgreSQL);
 * SQLite checks foreign keys only when rows change, so they stay inline there. Names PostgreSQL would
 * cut or take twice are refused first, on both databases (./schema/identifier-limits.ts), and so are
 * column options column() does not know or cannot use (./schema/column-checks.ts).
 */
export function createStatements(metadata: MetaData, dialect: Dialect): Statement[] {
  for (const table of metadata.tables) checkTableColumns(table)
  checkMetadataNames(metadata)
  const { sorted, cyclic } = sortedTables(metadata)
  const canAlter = dialect.name !== "sqlite"
  const cyclicNames = new Set(cyclic.map((t) => t.name))
  const deferred = (table: Table) =>
    canAlter && cyclicNames.has(table.name)
      ? declaredConstraints(table).foreignKeys.filter((fk) => cyclicNames.has(fk.referencedTable))
      : []
  const tables = [...sorted, ...cyclic]
  return [
    ...tables.flatMap((table) => [
      new CreateTable(table, deferred(table)),
      ...declaredConstraints(table).indexes.map((index) => new CreateIndex(index, table)),
    ]),
    ...tables.flatMap((table) => deferred(table).map((fk) => new AddForeignKey(table, fk))),
  ]
}

/**
 * The statements that drop every table of `metadata`, dependents first. Tables on a foreign-key cycle
 * go with CASCADE on PostgreSQL; SQLite has none, so there the checks wait for the end of the
 * transaction (`defer_foreign_keys`), by which time both sides are gone.
 */
export function dropStatements(metadata: MetaData, dialect?: Dialect): Statement[] {
  const { sorted, cyclic } = sortedTables(metadata)
  const defer =
    dialect?.name === "sqlite" && cyclic.length > 0
      ? [new TextStatement("PRAGMA defer_foreign_keys = ON")]
      : []
  return [
    ...defer,
    ...cyclic.map((table) => new DropTable(table, true)),
    ...sorted.reverse().map((table) => new DropTable(table)),
  ]
}

/** Creates the tables and indexes of `metadata` not there yet; one atomic request where the target batches. */
export async function createAll(metadata: MetaData, target: DdlTarget): Promise<void> {
  await run(createStatements(metadata, target.dialect), target)
}

/** Drops the tables of `metadata` that exist; one atomic request where the target batches. */
export async function dropAll(metadata: MetaData, target: DdlTarget): Promise<void> {
  await run(dropStatements(metadata, target.dialect), target)
}

async function run(statements: readonly Statement[], target: DdlTarget): Promise<void> {
  if (target.batch) {
    await target.batch(statements)
    return
  }
  // An engine ran each statement on a connection of its own: a request per table, each committed
  // alone, so a failure midway left half the schema. One connection batches them, as SQLAlchemy's
  // create_all(engine) runs in one transaction.
  if (target.connect) {
    const connection = target.connect()
    try {
      await run(statements, connection)
    } finally {
      await connection.close()
    }
    return
  }
  for (const statement of statements) await target.execute(statement)
}
