// Operations as SQL for a dialect. What both databases spell alike is here; PostgreSQL alters in
// place (render-postgres.ts) and SQLite rebuilds what its ALTER TABLE cannot do (render-sqlite.ts).
import { InvalidRequestError } from "../errors.ts"
import type { Compiler } from "../sql/compiler/compiler.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import { checkName } from "../sql/schema/identifier-limits.ts"
import { typeOfValue } from "../sql/types.ts"
import { createIndexSql, createTableSql, migrationCompiler, names } from "./ddl.ts"
import type { Operation } from "./operations.ts"
import { renderPostgres, sequencesCatchUp } from "./render-postgres.ts"
import { renderSqlite, requireSqliteCheck } from "./render-sqlite.ts"
import { resolveTable } from "./resolve.ts"
import type { DatabaseSchema } from "./schema.ts"
import { fromFirstToken, textAfterFirstStatement } from "./statement-tail.ts"

export interface RenderContext {
  readonly dialect: Dialect
  readonly compiler: Compiler
  /** The schema just before this operation (needed by SQLite rebuilds). */
  readonly schema: DatabaseSchema
}

export function renderOperation(op: Operation, schema: DatabaseSchema, dialect: Dialect): string[] {
  for (const [name, what] of createdNames(op)) checkName(name, what)
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
      if (dialect.name === "sqlite") refuseForeignKeysPragma(op.sql)
      return [oneStatement(op.sql, dialect)]
    case "bulkInsert": {
      const columns = [...new Set(op.rows.flatMap((row) => Object.keys(row)))]
      const tuples = op.rows.map(
        (row) =>
          `(${columns.map((c) => (c in row ? compiler.literal(row[c], typeOfValue(row[c])) : "NULL")).join(", ")})`,
      )
      const insert = `INSERT INTO ${q(op.table)} (${names(columns, compiler)}) VALUES ${tuples.join(", ")}`
      return dialect.name === "postgresql" ? [insert, sequencesCatchUp(op.table, columns, q)] : [insert]
    }
    default:
      return undefined
  }
}

const SETS_FOREIGN_KEYS =
  /^PRAGMA\s+(?:(?:\w+|"[^"]*"|`[^`]*`|\[[^\]]*\])\s*\.\s*)?(?:foreign_keys|"foreign_keys"|`foreign_keys`|\[foreign_keys\])\s*[=(]/i

/**
 * Refuses `PRAGMA foreign_keys = OFF` in a revision. SQLite ignores it inside a transaction, and a
 * revision is one: a table rebuilt by hand as SQLite's documentation writes it (the pragma, a new table,
 * the rows copied, DROP TABLE, a rename) dropped its old table with foreign keys on, deleting (or nulling)
 * every row that referenced it through ON DELETE CASCADE (SET NULL), and the revision went through.
 */
function refuseForeignKeysPragma(sql: string): void {
  // Comments before the pragma hide nothing from SQLite, so they hide nothing here.
  if (!SETS_FOREIGN_KEYS.test(fromFirstToken(sql, "sqlite"))) return
  throw new InvalidRequestError(
    "op.execute() cannot set PRAGMA foreign_keys: SQLite ignores PRAGMA foreign_keys inside a transaction, and a " +
      "revision is one, so foreign keys stay on, and a table dropped by hand deletes, or sets to NULL, the rows " +
      "that reference it through ON DELETE CASCADE or SET NULL. Let the revision's operations rebuild the table " +
      "(op.alterColumn, op.dropColumn... rebuild the tables referencing it too, keeping their rows), or copy the " +
      "referencing tables aside and back by hand as well, under PRAGMA defer_foreign_keys = ON",
  )
}

/**
 * The SQL of `op.execute`, refused when it holds a second statement: embedded libSQL would run only
 * the first and record the revision as applied, Neon's WebSocket both, the HTTP transports neither.
 */
function oneStatement(sql: string, dialect: Dialect): string {
  const rest = textAfterFirstStatement(sql, dialect.name === "postgresql" ? "postgresql" : "sqlite")
  if (rest === undefined) return sql
  const shown = rest.length > 60 ? `${rest.slice(0, 60)}...` : rest
  throw new InvalidRequestError(
    `op.execute() runs one statement, and this SQL holds more (then: ${shown}): call op.execute() once for each`,
  )
}

/**
 * The names an operation creates, with what they name, checked before anything is sent: over 63 bytes
 * (PostgreSQL would cut them) or empty they are refused on both databases, as createAll refuses them
 * (../sql/schema/identifier-limits.ts). Names it only refers to (what it drops or alters) are already there.
 */
function createdNames(op: Operation): [name: string, what: string][] {
  if (op.kind === "execute") return []
  const of = `of table ${JSON.stringify(op.table)}`
  switch (op.kind) {
    case "createTable": {
      const { uniques = [], foreignKeys = [], checks = [] } = op.extras
      return [
        [op.table, "Table name"],
        ...op.columns.map((column): [string, string] => [column.name, `Column name ${of}`]),
        ...[...uniques, ...foreignKeys, ...checks].flatMap((item): [string, string][] =>
          item.name === undefined ? [] : [[item.name, `Constraint name ${of}`]],
        ),
      ]
    }
    case "renameTable":
      return [[op.newName, "Table name"]]
    case "addColumn":
      return [[op.column.name, `Column name ${of}`]]
    case "alterColumn":
      return op.changes.newName === undefined ? [] : [[op.changes.newName, `Column name ${of}`]]
    case "createIndex":
      return [[op.name, `Index name ${of}`]]
    case "createForeignKey":
      return [[op.foreignKey.name, `Constraint name ${of}`]]
    case "createUniqueConstraint":
    case "createCheckConstraint":
      return [[op.name, `Constraint name ${of}`]]
    default:
      return []
  }
}
