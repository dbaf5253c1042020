// DDL: CREATE/DROP TABLE and INDEX. Columns render unqualified and values inline (DDL takes no
// parameters). Dialects override the type names and how a generated integer key is declared.
import type { AddForeignKey, CreateIndex, CreateTable, DropIndex, DropTable } from "../ddl.ts"
import { Expression } from "../expression.ts"
import type { Column } from "../schema/column.ts"
import type { ForeignKeyConstraint } from "../schema/constraints.ts"
import type { Table } from "../schema/table.ts"
import type { SqlType } from "../types.ts"
import { ExpressionCompiler } from "./expression-compiler.ts"

export abstract class DdlRenderer extends ExpressionCompiler {
  protected visitCreateTable(statement: CreateTable): string {
    const { table } = statement
    return this.inDdl(() => {
      const inlineKey = this.inlinePrimaryKey(table)
      const deferred = new Set(statement.deferredForeignKeys)
      const definitions = [
        ...table.columns.map((col) => this.columnDefinition(col, col === inlineKey)),
        ...(table.primaryKey.length > 0 && !inlineKey
          ? [
              `CONSTRAINT ${this.quote(`pk_${table.name}`)} PRIMARY KEY (${this.columnNames(
                table,
                table.primaryKey.map((c) => c.key),
              )})`,
            ]
          : []),
        ...table.uniques.map(
          (uq) => `${this.constraintName(uq.name)}UNIQUE (${this.columnNames(table, uq.columns)})`,
        ),
        ...table.foreignKeys
          .filter((fk) => !deferred.has(fk))
          .map((fk) => this.foreignKeyDefinition(fk, table)),
        ...table.checks.map(
          (ck) => `${this.constraintName(ck.name)}CHECK (${this.checkCondition(ck.condition)})`,
        ),
      ]
      return `CREATE TABLE IF NOT EXISTS ${this.quote(table.name)} (${definitions.join(", ")})`
    })
  }

  protected visitCreateIndex({ index, table }: CreateIndex): string {
    const unique = index.unique ? "UNIQUE " : ""
    const name = this.quote(index.name ?? `ix_${table.name}_${index.columns.join("_")}`)
    return `CREATE ${unique}INDEX IF NOT EXISTS ${name} ON ${this.quote(table.name)} (${this.columnNames(table, index.columns)})`
  }

  protected visitAddForeignKey({ table, foreignKey }: AddForeignKey): string {
    return `ALTER TABLE ${this.quote(table.name)} ADD ${this.foreignKeyDefinition(foreignKey, table)}`
  }

  protected visitDropTable({ table, cascade }: DropTable): string {
    return `DROP TABLE IF EXISTS ${this.quote(table.name)}${cascade ? " CASCADE" : ""}`
  }

  protected visitDropIndex({ index }: DropIndex): string {
    return `DROP INDEX IF EXISTS ${this.quote(index.name ?? "")}`
  }

  protected columnDefinition(column: Column<unknown>, inlinePrimaryKey: boolean): string {
    const options = column.spec?.options ?? {}
    const parts = [this.quote(column.name), this.columnType(column, inlinePrimaryKey)]
    if (options.nullable !== true && !inlinePrimaryKey) parts.push("NOT NULL")
    if (options.serverDefault !== undefined)
      parts.push(`DEFAULT ${this.serverDefault(options.serverDefault, column.type)}`)
    if (inlinePrimaryKey) parts.push("PRIMARY KEY")
    return parts.join(" ")
  }

  /** The column's type; a generated integer key is declared the dialect's way here. */
  protected columnType(column: Column<unknown>, _inlinePrimaryKey: boolean): string {
    return this.typeName(column.type)
  }

  /** The single-column primary key declared inline with its column, if the table has one. */
  protected inlinePrimaryKey(table: Table): Column<unknown> | undefined {
    return table.primaryKey.length === 1 ? table.primaryKey[0] : undefined
  }

  /** A primary key the database generates: one integer column, no foreign key, not opted out. */
  protected isGeneratedKey(column: Column<unknown>): boolean {
    const table = column.parent as Table
    const options = column.spec?.options ?? {}
    return (
      table.primaryKey.length === 1 &&
      table.primaryKey[0] === column &&
      column.type.isInteger &&
      options.foreignKey === undefined &&
      options.autoincrement !== false
    )
  }

  protected foreignKeyDefinition(fk: ForeignKeyConstraint, table: Table): string {
    const actions = [
      fk.options.onDelete ? ` ON DELETE ${fk.options.onDelete}` : "",
      fk.options.onUpdate ? ` ON UPDATE ${fk.options.onUpdate}` : "",
    ].join("")
    const referenced = fk.referencedColumns.map((name) => this.quote(name)).join(", ")
    return `${this.constraintName(fk.name)}FOREIGN KEY (${this.columnNames(table, fk.columns)}) REFERENCES ${this.quote(fk.referencedTable)} (${referenced})${actions}`
  }

  protected serverDefault(
    value: string | number | boolean | Expression<unknown>,
    type: SqlType<unknown>,
  ): string {
    return value instanceof Expression ? `(${this.expression(value)})` : this.literal(value, type)
  }

  protected checkCondition(condition: string | Expression<boolean>): string {
    return typeof condition === "string" ? condition : this.expression(condition)
  }

  private constraintName(name: string | undefined): string {
    return name ? `CONSTRAINT ${this.quote(name)} ` : ""
  }

  private columnNames(table: Table, keys: readonly string[]): string {
    return keys.map((key) => this.quote(table.requireColumn(key).name)).join(", ")
  }

  /** Runs a DDL rendering with unqualified columns and inline values, then restores the modes. */
  private inDdl(render: () => string): string {
    const [qualify, inline] = [this.qualifyColumns, this.inlineValues]
    this.qualifyColumns = false
    this.inlineValues = true
    try {
      return render()
    } finally {
      this.qualifyColumns = qualify
      this.inlineValues = inline
    }
  }

  typeName(type: SqlType<unknown>): string {
    const { length, precision, scale } = type.options
    switch (type.kind) {
      case "string":
      case "enum":
        return length === undefined ? "VARCHAR" : `VARCHAR(${length})`
      case "numeric":
        return precision === undefined
          ? "NUMERIC"
          : `NUMERIC(${precision}${scale === undefined ? "" : `, ${scale}`})`
      case "datetime":
        return "TIMESTAMP WITH TIME ZONE"
      case "binary":
        return "BLOB"
      case "null":
        return "NULL"
      default:
        return type.kind.toUpperCase()
    }
  }
}
