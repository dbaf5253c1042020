// A revision's column and table definitions resolved for one dialect into the schema model.
import { InvalidRequestError } from "../errors.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import { migrationCompiler } from "./ddl.ts"
import { renderDefault } from "./defaults.ts"
import type { ColumnDef, TableExtras } from "./operations.ts"
import type { ColumnSchema, TableSchema } from "./schema.ts"
import { sqlTypeName } from "./types.ts"

export function resolveColumn(def: ColumnDef, dialect: Dialect): ColumnSchema {
  const autoincrement = def.autoincrement === true
  if (def.sqliteAutoincrement === true && !(autoincrement && def.primaryKey === true))
    throw new InvalidRequestError(
      `Column "${def.name}": sqliteAutoincrement needs primaryKey and autoincrement (an integer key the database generates)`,
    )
  const coreType = typeof def.type === "string" ? undefined : def.type
  return {
    name: def.name,
    // SQLite makes a generated key the rowid alias only when it is spelled exactly INTEGER.
    type: autoincrement && dialect.name === "sqlite" ? "INTEGER" : sqlTypeName(def.type, dialect),
    nullable: def.nullable === true && def.primaryKey !== true,
    default:
      def.default === undefined
        ? undefined
        : renderDefault(def.default, coreType, migrationCompiler(dialect)),
    ...(def.default === undefined ? {} : { sourceDefault: def.default }),
    autoincrement,
    ...(def.descendingKey === true && !autoincrement && dialect.name === "sqlite"
      ? { descendingKey: true }
      : {}),
    ...(def.sqliteAutoincrement === true && dialect.name === "sqlite" ? { sqliteAutoincrement: true } : {}),
    ...(typeof def.type === "string" ? {} : { source: def.type }),
  }
}

export function resolveTable(
  name: string,
  columns: readonly ColumnDef[],
  extras: TableExtras,
  dialect: Dialect,
): TableSchema {
  const primaryKey = extras.primaryKey ?? columns.filter((c) => c.primaryKey).map((c) => c.name)
  const autoincrementKey = columns.find((c) => c.sqliteAutoincrement === true)
  if (autoincrementKey && (primaryKey.length !== 1 || primaryKey[0] !== autoincrementKey.name))
    throw new InvalidRequestError(
      `createTable("${name}"): sqliteAutoincrement is for the table's only key column, and its key is ${primaryKey.join(", ")}`,
    )
  return {
    name,
    columns: columns.map((def) => resolveColumn(def, dialect)),
    primaryKey,
    foreignKeys: (extras.foreignKeys ?? []).map((fk) => ({
      name: fk.name,
      columns: fk.columns,
      referencedTable: fk.referencedTable,
      referencedColumns: fk.referencedColumns,
      onDelete: fk.onDelete,
      onUpdate: fk.onUpdate,
    })),
    uniques: (extras.uniques ?? []).map((uq) => ({ name: uq.name, columns: uq.columns })),
    checks: (extras.checks ?? []).map((ck) => ({ name: ck.name, sql: ck.sql })),
    indexes: [],
  }
}
