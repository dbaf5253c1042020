// Operations as SQL for a dialect. What both databases spell alike is here; PostgreSQL alters in
// place (render-postgres.ts) and SQLite rebuilds what its ALTER TABLE cannot do (render-sqlite.ts).
import type { Compiler } from "../sql/compiler/compiler.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import { typeOfValue } from "../sql/types.ts"
import { createIndexSql, createTableSql, migrationCompiler, names } from "./ddl.ts"
import type { Operation } from "./operations.ts"
import { renderPostgres } from "./render-postgres.ts"
import { renderSqlite, requireSqliteCheck } from "./render-sqlite.ts"
import { resolveTable } from "./resolve.ts"
import type { DatabaseSchema } from "./schema.ts"

export interface RenderContext {
  readonly dialect: Dialect
  readonly compiler: Compiler
  /** The schema just before this operation (needed by SQLite rebuilds). */
  readonly schema: DatabaseSchema
}

export function renderOperation(op: Operation, schema: DatabaseSchema, dialect: Dialect): string[] {
  const context: RenderContext = { dialect, compiler: migrationCompiler(dialect), schema }
  return renderCommon(op, context) ?? (dialect.name === "sqlite" ? renderSqlite : renderPostgres)(op, context)
}

/** The operations both dialects spell the same way; undefined for the others. */
function renderCommon(op: Operation, { compiler, dialect }: RenderContext): string[] | undefined {
  const q = (name: string) => compiler.quote(name)
  switch (op.kind) {
    case "createTable":
      if (dialect.name === "sqlite")
        for (const ck of op.extras.checks ?? []) requireSqliteCheck(op.table, ck.name, ck.sql)
      return [createTableSql(resolveTable(op.table, op.columns, op.extras, dialect), compiler)]
    case "dropTable":
      return [`DROP TABLE ${q(op.table)}`]
    case "renameTable":
      return [`ALTER TABLE ${q(op.table)} RENAME TO ${q(op.newName)}`]
    case "createIndex":
      return [createIndexSql(op, op.table, compiler)]
    case "dropIndex":
      return [`DROP INDEX ${q(op.name)}`]
    case "execute":
      return [op.sql]
    case "bulkInsert": {
      const columns = [...new Set(op.rows.flatMap((row) => Object.keys(row)))]
      const tuples = op.rows.map(
        (row) =>
          `(${columns.map((c) => (c in row ? compiler.literal(row[c], typeOfValue(row[c])) : "NULL")).join(", ")})`,
      )
      return [`INSERT INTO ${q(op.table)} (${names(columns, compiler)}) VALUES ${tuples.join(", ")}`]
    }
    default:
      return undefined
  }
}
