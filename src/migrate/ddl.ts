// CREATE TABLE and CREATE INDEX from the schema model, shared by both dialects' operation renderers
// and the SQLite rebuild. Unlike createAll's DDL there is no IF NOT EXISTS: a migration that finds
// the table already there should fail, not silently skip.
import { InvalidRequestError } from "../errors.ts"
import type { Compiler } from "../sql/compiler/compiler.ts"
import { ddlSpelling } from "../sql/compiler/ddl-renderer.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import { bareWhereSafe, SQLITE_RESERVED } from "../sql/compiler/identifiers.ts"
import type { ColumnSchema, ForeignKeySchema, IndexSchema, TableSchema } from "./schema.ts"

/**
 * A compiler for a migration's SQL. On SQLite, names stay bare where that is safe, as createAll's DDL
 * writes them: SQLite keeps a table's CREATE text as it is given, and rebuilds and comparisons read it.
 */
export function migrationCompiler(dialect: Dialect): Compiler {
  return dialect.createCompiler(
    dialect.name === "sqlite" ? { quoteName: bareWhereSafe(SQLITE_RESERVED) } : {},
  )
}

export function createTableSql(table: TableSchema, compiler: Compiler): string {
  const q = (name: string) => compiler.quote(name)
  const inlineKey =
    table.primaryKey.length === 1 ? table.columns.find((c) => c.name === table.primaryKey[0]) : undefined
  const definitions = [
    ...table.columns.map((column) => columnSql(column, compiler, column === inlineKey)),
    ...(table.primaryKey.length > 1 ? [`PRIMARY KEY (${names(table.primaryKey, compiler)})`] : []),
    ...table.uniques.map(
      (uq) =>
        `${constraintName(uq.unnamed ? undefined : uq.name, compiler)}UNIQUE (${names(uq.columns, compiler)})`,
    ),
    ...table.foreignKeys.map((fk) => foreignKeySql(fk, compiler)),
    ...table.checks.map((ck) => `${constraintName(ck.name, compiler)}CHECK (${ck.sql})`),
  ]
  return `CREATE TABLE ${q(table.name)} (${definitions.join(", ")})`
}

/** A column definition: `"name" TYPE [NOT NULL] [DEFAULT x] [PRIMARY KEY]`. */
export function columnSql(column: ColumnSchema, compiler: Compiler, inlinePrimaryKey = false): string {
  const type =
    column.autoincrement && inlinePrimaryKey
      ? ddlSpelling(compiler.dialect).generatedKey(column.type)
      : column.type
  const parts = [compiler.quote(column.name), type]
  // A primary key is NOT NULL on PostgreSQL by itself; on SQLite only when it is the rowid (a legacy
  // quirk lets any other key hold NULLs, several of them), so a key the database does not generate says so.
  if (!column.nullable && (!inlinePrimaryKey || !column.autoincrement)) parts.push("NOT NULL")
  if (column.default !== undefined) parts.push(`DEFAULT ${column.default}`)
  if (column.sqliteAutoincrement && !(inlinePrimaryKey && column.autoincrement && !column.descendingKey)) {
    throw new InvalidRequestError(
      `Column "${column.name}": AUTOINCREMENT is SQLite's for a table's only key when it is an INTEGER the database generates`,
    )
  }
  if (inlinePrimaryKey)
    parts.push(
      column.descendingKey
        ? "PRIMARY KEY DESC"
        : column.sqliteAutoincrement
          ? "PRIMARY KEY AUTOINCREMENT"
          : "PRIMARY KEY",
    )
  return parts.join(" ")
}

export function foreignKeySql(fk: ForeignKeySchema, compiler: Compiler): string {
  const actions = [
    fk.onDelete && fk.onDelete !== "NO ACTION" ? ` ON DELETE ${fk.onDelete}` : "",
    fk.onUpdate && fk.onUpdate !== "NO ACTION" ? ` ON UPDATE ${fk.onUpdate}` : "",
  ].join("")
  return `${constraintName(fk.unnamed ? undefined : fk.name, compiler)}FOREIGN KEY (${names(fk.columns, compiler)}) REFERENCES ${compiler.quote(fk.referencedTable)} (${names(fk.referencedColumns, compiler)})${actions}`
}

export function createIndexSql(index: IndexSchema, table: string, compiler: Compiler): string {
  return `CREATE ${index.unique ? "UNIQUE " : ""}INDEX ${compiler.quote(index.name)} ON ${compiler.quote(table)} (${names(index.columns, compiler)})`
}

export function names(columns: readonly string[], compiler: Compiler): string {
  return columns.map((name) => compiler.quote(name)).join(", ")
}

function constraintName(name: string | undefined, compiler: Compiler): string {
  return name ? `CONSTRAINT ${compiler.quote(name)} ` : ""
}
