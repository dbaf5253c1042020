// SQLite: ALTER TABLE can rename a table or column and add a plain column; everything else (types,
// nullability, defaults, constraints, dropping columns) goes through a rebuild of the table.
import { InvalidRequestError } from "../errors.ts"
import { columnSql } from "./ddl.ts"
import type { Operation } from "./operations.ts"
import { rebuildTable } from "./rebuild.ts"
import type { RenderContext } from "./render.ts"
import { resolveColumn } from "./resolve.ts"
import { requireTable, simulate } from "./simulate.ts"

export function renderSqlite(op: Operation, context: RenderContext): string[] {
  const { compiler, dialect, schema } = context
  const q = (name: string) => compiler.quote(name)
  switch (op.kind) {
    case "addColumn": {
      const column = resolveColumn(op.column, dialect)
      if (canAddInPlace(column.nullable, column.default, op.column.primaryKey === true)) {
        return [`ALTER TABLE ${q(op.table)} ADD COLUMN ${columnSql(column, compiler)}`]
      }
      return rebuild(op, context, new Map())
    }
    case "alterColumn": {
      const { newName, ...rest } = op.changes
      if (newName !== undefined && Object.keys(rest).length === 0) {
        return [`ALTER TABLE ${q(op.table)} RENAME COLUMN ${q(op.column)} TO ${q(newName)}`]
      }
      return rebuild(op, context, newName ? new Map([[newName, op.column]]) : new Map())
    }
    case "dropColumn":
    case "createForeignKey":
    case "createUniqueConstraint":
    case "createCheckConstraint":
    case "dropConstraint":
      requireTable(schema, op.table)
      return rebuild(op, context, new Map())
    default:
      throw new InvalidRequestError(`SQLite rendering of "${op.kind}" belongs to the common renderer`)
  }
}

/** SQLite adds a column in place only when it is nullable or has a constant default, and is no key. */
function canAddInPlace(nullable: boolean, defaultSql: string | undefined, primaryKey: boolean): boolean {
  if (primaryKey) return false
  if (defaultSql?.trim().startsWith("(")) return false
  return nullable || defaultSql !== undefined
}

function rebuild(
  op: Exclude<Operation, { kind: "createTable" | "dropTable" | "renameTable" | "execute" | "bulkInsert" }>,
  context: RenderContext,
  renamed: ReadonlyMap<string, string>,
): string[] {
  const after = simulate(context.schema, op, context.dialect)
  return rebuildTable(op.table, context.schema, after, renamed, context.compiler)
}
