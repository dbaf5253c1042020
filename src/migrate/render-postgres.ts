// PostgreSQL alters tables in place, transactionally: every operation is an ALTER TABLE.
import { InvalidRequestError } from "../errors.ts"
import { columnSql, foreignKeySql, names } from "./ddl.ts"
import { renderDefault } from "./defaults.ts"
import type { Operation } from "./operations.ts"
import type { RenderContext } from "./render.ts"
import { resolveColumn } from "./resolve.ts"
import { sqlTypeName } from "./types.ts"

export function renderPostgres(op: Operation, { compiler, dialect }: RenderContext): string[] {
  const q = (name: string) => compiler.quote(name)
  const alter = (table: string) => `ALTER TABLE ${q(table)}`
  switch (op.kind) {
    case "addColumn":
      return [`${alter(op.table)} ADD COLUMN ${columnSql(resolveColumn(op.column, dialect), compiler)}`]
    case "dropColumn":
      return [`${alter(op.table)} DROP COLUMN ${q(op.column)}`]
    case "alterColumn": {
      const { type, nullable, newName } = op.changes
      const column = `${alter(op.table)} ALTER COLUMN ${q(op.column)}`
      const statements: string[] = []
      if (type !== undefined) {
        const name = sqlTypeName(type, dialect)
        // An explicit cast to VARCHAR(n) cuts what is longer; the implicit one (no USING), which every
        // type has to a character type, refuses it instead. Other types convert through USING.
        const using = /^(VARCHAR|CHAR|CHARACTER|TEXT)\b/i.test(name) ? "" : ` USING ${q(op.column)}::${name}`
        statements.push(`${column} TYPE ${name}${using}`)
      }
      if (nullable !== undefined) statements.push(`${column} ${nullable ? "DROP" : "SET"} NOT NULL`)
      if (op.changes.default !== undefined) {
        statements.push(
          op.changes.default === null
            ? `${column} DROP DEFAULT`
            : `${column} SET DEFAULT ${renderDefault(op.changes.default, typeof type === "object" ? type : undefined, compiler)}`,
        )
      }
      if (newName !== undefined)
        statements.push(`${alter(op.table)} RENAME COLUMN ${q(op.column)} TO ${q(newName)}`)
      return statements
    }
    case "createForeignKey":
      return [`${alter(op.table)} ADD ${foreignKeySql(op.foreignKey, compiler)}`]
    case "createUniqueConstraint":
      return [`${alter(op.table)} ADD CONSTRAINT ${q(op.name)} UNIQUE (${names(op.columns, compiler)})`]
    case "createCheckConstraint":
      return [`${alter(op.table)} ADD CONSTRAINT ${q(op.name)} CHECK (${op.sql})`]
    case "dropConstraint":
      return [`${alter(op.table)} DROP CONSTRAINT ${q(op.name)}`]
    default:
      throw new InvalidRequestError(`PostgreSQL rendering of "${op.kind}" belongs to the common renderer`)
  }
}
