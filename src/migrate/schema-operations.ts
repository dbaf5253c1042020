// Operations that recreate what the schema model describes, as autogenerate writes them: a table,
// a column, an index, a foreign key, a default in its portable spelling.
import { readDefault, type ServerDefault, writableDefault } from "./defaults.ts"
import type { ColumnDef, Operation } from "./operations.ts"
import type { ColumnSchema, ForeignKeySchema, TableSchema } from "./schema.ts"

/** A column's default as a revision writes it: as the model states it, or read back portably. */
export function portable(column: ColumnSchema): ServerDefault {
  return writableDefault(
    column.sourceDefault ?? readDefault(column.default ?? "NULL", column.type),
    column.default ?? "NULL",
  )
}

export function createTable(table: TableSchema): Operation {
  const single = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined
  return {
    kind: "createTable",
    table: table.name,
    columns: table.columns.map((c) => columnDef(c, c.name === single)),
    extras: {
      ...(table.primaryKey.length > 1 ? { primaryKey: table.primaryKey } : {}),
      ...(table.foreignKeys.length > 0
        ? { foreignKeys: table.foreignKeys.map((fk) => ({ ...foreignKeyDef(fk) })) }
        : {}),
      ...(table.uniques.length > 0
        ? {
            uniques: table.uniques.map((uq) => ({
              ...(uq.name ? { name: uq.name } : {}),
              columns: uq.columns,
            })),
          }
        : {}),
      ...(table.checks.length > 0
        ? { checks: table.checks.map((ck) => ({ ...(ck.name ? { name: ck.name } : {}), sql: ck.sql })) }
        : {}),
    },
  }
}

export function columnDef(column: ColumnSchema, primaryKey: boolean): ColumnDef {
  return {
    name: column.name,
    type: column.source ?? column.type,
    ...(column.nullable ? { nullable: true } : {}),
    ...(column.default === undefined ? {} : { default: portable(column) }),
    ...(primaryKey ? { primaryKey: true } : {}),
    ...(column.autoincrement ? { autoincrement: true } : {}),
    ...(primaryKey && column.descendingKey ? { descendingKey: true } : {}),
    ...(primaryKey && column.sqliteAutoincrement ? { sqliteAutoincrement: true } : {}),
  }
}

function foreignKeyDef(fk: ForeignKeySchema) {
  return {
    ...(fk.name ? { name: fk.name } : {}),
    columns: fk.columns,
    referencedTable: fk.referencedTable,
    referencedColumns: fk.referencedColumns,
    ...(fk.onDelete ? { onDelete: fk.onDelete } : {}),
    ...(fk.onUpdate ? { onUpdate: fk.onUpdate } : {}),
  }
}

export function createIndex(
  table: string,
  ix: { name: string; columns: readonly string[]; unique: boolean },
): Operation {
  return { kind: "createIndex", table, name: ix.name, columns: ix.columns, unique: ix.unique }
}

export function createForeignKey(table: string, fk: ForeignKeySchema): Operation {
  return { kind: "createForeignKey", table, foreignKey: { ...foreignKeyDef(fk), name: fk.name as string } }
}
