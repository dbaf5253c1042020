// DDL: CREATE/DROP TABLE and INDEX, rendered through a dialect's compiler. Columns render unqualified
// and values inline (DDL takes no parameters). This lives apart from the statement compiler, reached
// only from the DDL statements, so that a bundle that never creates tables carries none of it.
import type { AddForeignKey, CreateIndex, CreateTable, DropIndex, DropTable } from "../ddl.ts"
import { Expression } from "../expression.ts"
import type { Column } from "../schema/column.ts"
import { conventionalName, type ForeignKeyConstraint } from "../schema/constraints.ts"
import { primaryKeyName } from "../schema/identifier-limits.ts"
import { isGeneratedKey, type Table } from "../schema/table.ts"
import type { SqlType } from "../types.ts"
import type { Compiler } from "./compiler.ts"
import { SQLITE_RESERVED } from "./identifiers.ts"

export type DdlStatement = CreateTable | CreateIndex | AddForeignKey | DropTable | DropIndex

export function renderDdl(compiler: Compiler, statement: DdlStatement): string {
  // SQLite keeps a table's CREATE text as given, and migrations read it back: its names stay bare where
  // that is safe, as people write them. PostgreSQL keeps no text: every name is quoted.
  const words = compiler.dialect.name === "sqlite" ? SQLITE_RESERVED : undefined
  return compiler.inDdlMode(() => new DdlRenderer(compiler).render(statement), words)
}

class DdlRenderer {
  constructor(private readonly compiler: Compiler) {}

  render(statement: DdlStatement): string {
    const q = (name: string) => this.compiler.quote(name)
    switch (statement.kind) {
      case "create_table":
        return this.createTable(statement)
      case "create_index": {
        const { index, table } = statement
        const columns = index.columns.map((key) => table.requireColumn(key).name)
        const name = q(index.name ?? conventionalName("ix", table.name, columns))
        return `CREATE ${index.unique ? "UNIQUE " : ""}INDEX IF NOT EXISTS ${name} ON ${q(table.name)} (${this.columnNames(table, index.columns)})`
      }
      case "add_foreign_key":
        return this.compiler.addForeignKeySql(
          `ALTER TABLE ${q(statement.table.name)} ADD ${this.foreignKey(statement.foreignKey, statement.table)}`,
        )
      case "drop_table":
        return `DROP TABLE IF EXISTS ${q(statement.table.name)}${statement.cascade && this.compiler.dropCascades ? " CASCADE" : ""}`
      case "drop_index":
        return `DROP INDEX IF EXISTS ${q(statement.index.name ?? "")}`
    }
  }

  private createTable(statement: CreateTable): string {
    const { table } = statement
    const inlineKey = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined
    const deferred = new Set(statement.deferredForeignKeys)
    const primaryKey =
      table.primaryKey.length > 0 && !inlineKey
        ? [
            `CONSTRAINT ${this.compiler.quote(primaryKeyName(table))} PRIMARY KEY (${this.columnNames(
              table,
              table.primaryKey.map((c) => c.key),
            )})`,
          ]
        : []
    const definitions = [
      ...table.columns.map((col) => this.column(col, col === inlineKey)),
      ...primaryKey,
      ...table.uniques.map(
        (uq) => `${this.constraintName(uq.name)}UNIQUE (${this.columnNames(table, uq.columns)})`,
      ),
      ...table.foreignKeys.filter((fk) => !deferred.has(fk)).map((fk) => this.foreignKey(fk, table)),
      ...table.checks.map((ck) => `${this.constraintName(ck.name)}CHECK (${this.condition(ck.condition)})`),
    ]
    return `CREATE TABLE IF NOT EXISTS ${this.compiler.quote(table.name)} (${definitions.join(", ")})`
  }

  private column(column: Column<unknown>, inlinePrimaryKey: boolean): string {
    const options = column.spec?.options ?? {}
    const type = this.compiler.typeName(column.type)
    const generated = inlinePrimaryKey && isGeneratedKey(column)
    const parts = [this.compiler.quote(column.name), generated ? this.compiler.generatedKeyType(type) : type]
    // A primary key is NOT NULL on PostgreSQL by itself; on SQLite only when it is the rowid (a legacy
    // of SQLite's: a TEXT key takes NULLs), so every key the database does not generate says it.
    if (options.nullable !== true && !generated) parts.push("NOT NULL")
    if (options.serverDefault !== undefined)
      parts.push(`DEFAULT ${this.serverDefault(options.serverDefault, column.type)}`)
    if (inlinePrimaryKey) parts.push("PRIMARY KEY")
    return parts.join(" ")
  }

  private foreignKey(fk: ForeignKeyConstraint, table: Table): string {
    const actions = [
      fk.options.onDelete ? ` ON DELETE ${fk.options.onDelete}` : "",
      fk.options.onUpdate ? ` ON UPDATE ${fk.options.onUpdate}` : "",
    ].join("")
    const referenced = fk.referencedColumns.map((name) => this.compiler.quote(name)).join(", ")
    return `${this.constraintName(fk.name)}FOREIGN KEY (${this.columnNames(table, fk.columns)}) REFERENCES ${this.compiler.quote(fk.referencedTable)} (${referenced})${actions}`
  }

  private serverDefault(
    value: string | number | boolean | Expression<unknown>,
    type: SqlType<unknown>,
  ): string {
    return value instanceof Expression
      ? `(${this.compiler.expression(value)})`
      : this.compiler.literal(value, type)
  }

  private condition(condition: string | Expression<boolean>): string {
    return typeof condition === "string" ? condition : this.compiler.expression(condition)
  }

  private constraintName(name: string | undefined): string {
    return name ? `CONSTRAINT ${this.compiler.quote(name)} ` : ""
  }

  private columnNames(table: Table, keys: readonly string[]): string {
    return keys.map((key) => this.compiler.quote(table.requireColumn(key).name)).join(", ")
  }
}
