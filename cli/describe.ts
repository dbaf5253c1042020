// One line per operation, for `check` and `revision --autogenerate` output.
import type { Operation } from "edgealchemy/migrate"

export function describeOperation(op: Operation): string {
  switch (op.kind) {
    case "createTable":
      return `+ table ${op.table}`
    case "dropTable":
      return `- table ${op.table}`
    case "renameTable":
      return `~ table ${op.table} renamed to ${op.newName}`
    case "addColumn":
      return `+ column ${op.table}.${op.column.name}`
    case "dropColumn":
      return `- column ${op.table}.${op.column}`
    case "alterColumn":
      return `~ column ${op.table}.${op.column} (${Object.keys(op.changes).join(", ")})`
    case "createIndex":
      return `+ index ${op.name} on ${op.table}`
    case "dropIndex":
      return `- index ${op.name} on ${op.table}`
    case "createForeignKey":
      return `+ foreign key ${op.foreignKey.name} on ${op.table}`
    case "createUniqueConstraint":
      return `+ unique ${op.name} on ${op.table}`
    case "createCheckConstraint":
      return `+ check ${op.name} on ${op.table}`
    case "dropConstraint":
      return `- constraint ${op.name} on ${op.table}`
    case "bulkInsert":
      return `+ ${op.rows.length} row(s) into ${op.table}`
    case "execute":
      return `! ${op.sql.slice(0, 60)}`
  }
}
