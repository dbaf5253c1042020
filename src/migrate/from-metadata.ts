// Model metadata (ORM models' tables or Core tables) as the schema model, spelled for one dialect:
// what autogenerate compares with the live database.

import { POSTGRES_RESERVED } from "../dialects/postgresql/keywords.ts"
import { ddlTypeName, inDdlMode } from "../sql/compiler/ddl-renderer.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import { bareWhereSafe, SQLITE_RESERVED } from "../sql/compiler/identifiers.ts"
import type { Expression } from "../sql/expression.ts"
import type { Column } from "../sql/schema/column.ts"
import { checkTableColumns } from "../sql/schema/column-checks.ts"
import { conventionalName } from "../sql/schema/constraints.ts"
import { declaredConstraints } from "../sql/schema/declared-constraints.ts"
import { checkMetadataNames } from "../sql/schema/identifier-limits.ts"
import type { MetaData } from "../sql/schema/metadata.ts"
import { isGeneratedKey, type Table } from "../sql/schema/table.ts"
import { renderDefault } from "./defaults.ts"
import type { ColumnSchema, DatabaseSchema, TableSchema } from "./schema.ts"
import { sqlTypeName } from "./types.ts"

/** Refuses names PostgreSQL would cut or take twice and column options column() does not know, as createAll does. */
export function schemaOfMetadata(metadata: MetaData, dialect: Dialect): DatabaseSchema {
  for (const table of metadata.tables) checkTableColumns(table)
  checkMetadataNames(metadata)
  return new Map(metadata.tables.map((table) => [table.name, schemaOfTable(table, dialect)]))
}

/**
 * The names either database refuses bare: a CHECK autogenerate writes into a revision may be applied
 * to the other database (a revision made against SQLite, run on Neon), so it quotes for both.
 */
const EITHER_RESERVED: ReadonlySet<string> = new Set([...POSTGRES_RESERVED, ...SQLITE_RESERVED])

export function schemaOfTable(table: Table, dialect: Dialect): TableSchema {
  const compiler = dialect.createCompiler({ quoteName: bareWhereSafe(EITHER_RESERVED) })
  const name = (key: string) => table.requireColumn(key).name
  const ddl = (render: () => string) => inDdlMode(compiler, render)
  const declared = declaredConstraints(table)
  const column = (col: Column<unknown>): ColumnSchema => {
    const generated = isGeneratedKey(col)
    const serverDefault = col.spec?.options.serverDefault
    // A DateTime key on PostgreSQL is TIMESTAMP(3), as createAll makes it; a revision writes that SQL.
    const keyType = ddlTypeName(col, dialect)
    return {
      name: col.name,
      type: generated && dialect.name === "sqlite" ? "INTEGER" : sqlTypeName(keyType ?? col.type, dialect),
      nullable: col.nullable && !table.primaryKey.includes(col),
      default: serverDefault === undefined ? undefined : renderDefault(serverDefault, col.type, compiler),
      autoincrement: generated,
      // checkTableColumns refused the option on any other key.
      ...(generated && dialect.name === "sqlite" && table.options.sqliteAutoincrement === true
        ? { sqliteAutoincrement: true }
        : {}),
      ...(keyType === undefined ? { source: col.type } : {}),
      ...(serverDefault === undefined ? {} : { sourceDefault: serverDefault }),
    }
  }
  return {
    name: table.name,
    columns: table.columns.map(column),
    primaryKey: table.primaryKey.map((col) => col.name),
    foreignKeys: declared.foreignKeys.map((fk) => ({
      name: fk.name,
      columns: fk.columns.map(name),
      referencedTable: fk.referencedTable,
      referencedColumns: fk.referencedColumns,
      onDelete: fk.options.onDelete,
      onUpdate: fk.options.onUpdate,
    })),
    uniques: declared.uniques.map((uq) => ({ name: uq.name, columns: uq.columns.map(name) })),
    checks: declared.checks.map((ck) => ({
      name: ck.name,
      sql:
        typeof ck.condition === "string"
          ? ck.condition
          : ddl(() => compiler.expression(ck.condition as Expression<boolean>)),
    })),
    indexes: declared.indexes.map((ix) => ({
      name: ix.name ?? conventionalName("ix", table.name, ix.columns.map(name)),
      columns: ix.columns.map(name),
      unique: ix.unique,
    })),
  }
}
