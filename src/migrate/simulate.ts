// Applies an operation to the schema model, as the database will once it runs. The SQLite renderer
// needs the table as it is at that point of the revision (a rebuild writes the whole table), so the
// runner reads the schema once and carries it forward through the operations it renders.
import { InvalidRequestError } from "../errors.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import { migrationCompiler } from "./ddl.ts"
import { renderDefault } from "./defaults.ts"
import type { Operation } from "./operations.ts"
import { resolveColumn, resolveTable } from "./resolve.ts"
import type { ColumnSchema, DatabaseSchema, TableSchema } from "./schema.ts"
import { folded, mentionsColumn, renameColumnIn } from "./sql-names.ts"
import { unquote } from "./sqlite-table-sql.ts"
import { withoutDroppedTrigger } from "./trigger-guard.ts"
import { sqlTypeName } from "./types.ts"

export function simulate(schema: DatabaseSchema, op: Operation, dialect: Dialect): DatabaseSchema {
  const next = new Map(schema)
  switch (op.kind) {
    case "createTable":
      next.set(op.table, resolveTable(op.table, op.columns, op.extras, dialect))
      return next
    case "dropTable":
      next.delete(op.table)
      return next
    case "renameTable": {
      const table = requireTable(schema, op.table)
      next.delete(op.table)
      next.set(op.newName, { ...table, name: op.newName, ...renameMark(table) })
      markTriggersNaming(next, op.table)
      for (const [name, other] of next) {
        const foreignKeys = other.foreignKeys.map((fk) =>
          fk.referencedTable === op.table ? { ...fk, referencedTable: op.newName } : fk,
        )
        next.set(name, { ...other, foreignKeys })
      }
      return next
    }
    case "execute":
      return withTableAltered(
        withTriggerExecuted(
          withIndexExecuted(withoutDroppedTrigger(schema, op.sql), op.sql, dialect),
          op.sql,
          dialect,
        ),
        op.sql,
        dialect,
      )
    case "bulkInsert":
      return schema
    default:
      next.set(op.table, changeTable(requireTable(schema, op.table), op, dialect))
      if (op.kind === "alterColumn" && op.changes.newName) {
        renameReferences(next, op.table, op.column, op.changes.newName)
        markTriggersNaming(next, op.table, op.column)
      }
      return next
  }
}

const NAME = String.raw`("(?:[^"]|"")+"|\`[^\`]+\`|\[[^\]]+\]|[^\s(;]+)`
const CREATE_INDEX = new RegExp(
  String.raw`^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}\s+ON\s+${NAME}`,
  "i",
)
const DROP_INDEX = new RegExp(String.raw`^\s*DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?${NAME}\s*;?\s*$`, "i")

/**
 * SQLite: an index `op.execute` creates (on an expression, as the blog's lower(username)) is one a later
 * rebuild of its table in the same revision must recreate, as written, and one it drops is gone: the
 * runner reads the schema once per revision, and `migrate sql` (which does not connect) never does.
 */
function withIndexExecuted(schema: DatabaseSchema, sql: string, dialect: Dialect): DatabaseSchema {
  if (dialect.name !== "sqlite") return schema
  const created = CREATE_INDEX.exec(sql)
  const dropped = created ? undefined : DROP_INDEX.exec(sql)?.[1]
  if (!created && dropped === undefined) return schema
  const next = new Map(schema)
  const same = (a: string, b: string) => folded(a) === folded(b)
  if (created) {
    const [, index, on] = created as unknown as [string, string, string]
    const table = [...schema.values()].find((t) => same(t.name, unquote(on)))
    const name = unquote(index)
    if (table && !table.indexes.some((ix) => same(ix.name, name)))
      next.set(table.name, { ...table, handMadeIndexes: [...(table.handMadeIndexes ?? []), { name, sql }] })
    return next
  }
  const name = unquote(dropped as string)
  for (const table of schema.values()) {
    const indexes = table.indexes.filter((ix) => !same(ix.name, name))
    const handMadeIndexes = (table.handMadeIndexes ?? []).filter((ix) => !same(ix.name, name))
    if (
      indexes.length !== table.indexes.length ||
      handMadeIndexes.length !== (table.handMadeIndexes ?? []).length
    )
      next.set(table.name, { ...table, indexes, handMadeIndexes })
  }
  return next
}

const CREATE_TRIGGER_ON = new RegExp(
  String.raw`^\s*CREATE\s+(?:TEMP(?:ORARY)?\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}[\s\S]*?\sON\s+${NAME}`,
  "i",
)

/**
 * SQLite: a trigger `op.execute` creates on a table is one a later rebuild of that table in the same
 * revision must write again (its DROP TABLE takes the trigger with it; introspection, once per
 * revision, did not see it), and compile against the new table. One on a view stays through rebuilds,
 * and is checked with the tables its text names, as introspection keeps it.
 */
function withTriggerExecuted(schema: DatabaseSchema, sql: string, dialect: Dialect): DatabaseSchema {
  if (dialect.name !== "sqlite") return schema
  const on = CREATE_TRIGGER_ON.exec(sql)?.[2]
  if (on === undefined) return schema
  const next = new Map(schema)
  const target = [...schema.values()].find((t) => folded(t.name) === folded(unquote(on)))
  if (target) {
    next.set(target.name, { ...target, triggers: [...(target.triggers ?? []), sql] })
    return next
  }
  for (const table of schema.values())
    if (folded(sql).includes(folded(table.name)))
      next.set(table.name, {
        ...table,
        viewTriggers: [...(table.viewTriggers ?? []), { view: unquote(on), sql }],
      })
  return next
}

const ALTER_TABLE = new RegExp(String.raw`^\s*ALTER\s+TABLE\s+${NAME}`, "i")

/**
 * SQLite: a table `op.execute` alters (ALTER TABLE ... ADD COLUMN, by hand) is marked, so that a rebuild
 * of it before the schema is read again (later in the same revision; in `migrate sql`, ever) is refused:
 * it would write the table as read, without that change (a column added and filled there would be
 * dropped with its values).
 */
function withTableAltered(schema: DatabaseSchema, sql: string, dialect: Dialect): DatabaseSchema {
  if (dialect.name !== "sqlite") return schema
  const altered = ALTER_TABLE.exec(sql)?.[1]
  if (altered === undefined) return schema
  const table = [...schema.values()].find((t) => folded(t.name) === folded(unquote(altered)))
  if (!table) return schema
  return new Map(schema).set(table.name, { ...table, alteredInRevision: sql })
}

/** The schema as a new revision starts from it: no rename of an earlier one is pending any more. */
export function forgetRenames(schema: DatabaseSchema): DatabaseSchema {
  // A table op.execute() altered stays marked: the runner reads the schema again after such a
  // revision, and `migrate sql`, which cannot, must not print a rebuild that loses the change.
  const marked = [...schema.values()].filter((t) => t.renamedInRevision)
  if (marked.length === 0) return schema
  const next = new Map(schema)
  for (const { renamedInRevision: _, ...table } of marked) next.set(table.name, table)
  return next
}

/**
 * Marks a renamed table whose triggers or hand-made indexes SQLite rewrites with the new names: any of
 * them for a table's rename (they name it), those that use the column for a column's.
 */
function renameMark(table: TableSchema, column?: string): { renamedInRevision?: true } {
  const asWritten = [...(table.triggers ?? []), ...(table.handMadeIndexes ?? []).map((ix) => ix.sql)]
  const rewritten = column === undefined ? asWritten : asWritten.filter((sql) => mentionsColumn(sql, column))
  return rewritten.length > 0 ? { renamedInRevision: true } : {}
}

/**
 * Marks the other tables whose triggers name a table (or a column of it) renamed in place: SQLite's
 * RENAME rewrites every trigger of the database, and a rebuild of such a table later in the revision
 * would write its triggers again as they were read, naming what is no longer there. Read loosely (the
 * names anywhere in the trigger's text): a trigger wrongly marked only puts the rebuild in a revision
 * of its own.
 */
function markTriggersNaming(schema: Map<string, TableSchema>, table: string, column?: string): void {
  const names = (sql: string, name: string) => folded(sql).includes(folded(name))
  for (const [name, other] of schema) {
    if (folded(name) === folded(table) || other.renamedInRevision) continue
    const rewritten = (other.triggers ?? []).some(
      (sql) => names(sql, table) && (column === undefined || names(sql, column)),
    )
    if (rewritten) schema.set(name, { ...other, renamedInRevision: true })
  }
}

export function requireTable(schema: DatabaseSchema, name: string): TableSchema {
  const table = schema.get(name)
  if (!table) {
    throw new InvalidRequestError(
      `Table "${name}" is not in the database (known: ${[...schema.keys()].join(", ") || "none"})`,
    )
  }
  return table
}

export function requireColumn(table: TableSchema, name: string): ColumnSchema {
  const column = table.columns.find((c) => c.name === name)
  if (!column) {
    throw new InvalidRequestError(
      `Table "${table.name}" has no column "${name}" (its columns: ${table.columns.map((c) => c.name).join(", ")})`,
    )
  }
  return column
}

type TableOperation = Exclude<
  Operation,
  { kind: "createTable" | "dropTable" | "renameTable" | "execute" | "bulkInsert" }
>

function changeTable(table: TableSchema, op: TableOperation, dialect: Dialect): TableSchema {
  switch (op.kind) {
    case "addColumn":
      return {
        ...table,
        columns: [...table.columns, resolveColumn(op.column, dialect)],
        primaryKey: op.column.primaryKey ? [...table.primaryKey, op.column.name] : table.primaryKey,
      }
    case "dropColumn": {
      requireColumn(table, op.column)
      const uses = (columns: readonly string[]) => columns.includes(op.column)
      return {
        ...table,
        columns: table.columns.filter((c) => c.name !== op.column),
        foreignKeys: table.foreignKeys.filter((fk) => !uses(fk.columns)),
        uniques: table.uniques.filter((uq) => !uses(uq.columns)),
        indexes: table.indexes.filter((ix) => !uses(ix.columns)),
        // As PostgreSQL drops them: a CHECK left naming a dropped column would fail SQLite's rebuild.
        checks: table.checks.filter((ck) => !mentionsColumn(ck.sql, op.column)),
      }
    }
    case "alterColumn": {
      const current = requireColumn(table, op.column)
      const { type, nullable, newName } = op.changes
      const altered: ColumnSchema = {
        ...current,
        ...(type === undefined ? {} : { type: sqlTypeName(type, dialect) }),
        ...(nullable === undefined ? {} : { nullable }),
        ...(op.changes.default === undefined
          ? {}
          : {
              default:
                op.changes.default === null
                  ? undefined
                  : renderDefault(op.changes.default, current.source, migrationCompiler(dialect)),
            }),
        ...(newName === undefined ? {} : { name: newName }),
      }
      const changed =
        op.changes.sqliteAutoincrement === undefined
          ? altered
          : withSqliteAutoincrement(table, altered, op, dialect)
      const rename = (columns: readonly string[]) =>
        newName ? columns.map((c) => (c === op.column ? newName : c)) : columns
      const quote = (name: string) => migrationCompiler(dialect).quote(name)
      return {
        ...table,
        ...(newName ? renameMark(table, op.column) : {}),
        columns: table.columns.map((c) => (c === current ? changed : c)),
        primaryKey: rename(table.primaryKey),
        foreignKeys: table.foreignKeys.map((fk) => ({ ...fk, columns: rename(fk.columns) })),
        uniques: table.uniques.map((uq) => ({ ...uq, columns: rename(uq.columns) })),
        indexes: table.indexes.map((ix) => ({ ...ix, columns: rename(ix.columns) })),
        // Both databases rewrite a renamed column in CHECK conditions; so does the model of them.
        checks: newName
          ? table.checks.map((ck) => ({ ...ck, sql: renameColumnIn(ck.sql, op.column, newName, quote) }))
          : table.checks,
      }
    }
    case "createIndex":
      return {
        ...table,
        indexes: [...table.indexes, { name: op.name, columns: op.columns, unique: op.unique }],
      }
    case "dropIndex":
      return {
        ...table,
        indexes: table.indexes.filter((ix) => ix.name !== op.name),
        handMadeIndexes: (table.handMadeIndexes ?? []).filter((ix) => ix.name !== op.name),
      }
    case "createForeignKey":
      return { ...table, foreignKeys: [...table.foreignKeys, op.foreignKey] }
    case "createUniqueConstraint":
      return { ...table, uniques: [...table.uniques, { name: op.name, columns: op.columns }] }
    case "createCheckConstraint":
      return { ...table, checks: [...table.checks, { name: op.name, sql: op.sql }] }
    case "dropConstraint": {
      const kept = {
        ...table,
        foreignKeys: table.foreignKeys.filter((fk) => fk.name !== op.name),
        uniques: table.uniques.filter((uq) => uq.name !== op.name),
        checks: table.checks.filter((ck) => ck.name !== op.name),
      }
      const removed =
        table.foreignKeys.length +
        table.uniques.length +
        table.checks.length -
        (kept.foreignKeys.length + kept.uniques.length + kept.checks.length)
      if (removed === 0) {
        throw new InvalidRequestError(`Table "${table.name}" has no constraint named "${op.name}"`)
      }
      return kept
    }
  }
}

/**
 * Gives the column SQLite's AUTOINCREMENT or takes it away (PostgreSQL keeps no such thing). Refused on
 * both databases for a column that is not the table's only, generated key: SQLite would refuse the
 * rebuild's CREATE TABLE, and the same revision must apply to either database.
 */
function withSqliteAutoincrement(
  table: TableSchema,
  column: ColumnSchema,
  op: Extract<Operation, { kind: "alterColumn" }>,
  dialect: Dialect,
): ColumnSchema {
  const wanted = op.changes.sqliteAutoincrement === true
  if (wanted && !(column.autoincrement && table.primaryKey.length === 1 && table.primaryKey[0] === op.column))
    throw new InvalidRequestError(
      `alterColumn("${op.table}", "${op.column}"): sqliteAutoincrement is for the table's only key, an integer the database ` +
        `generates; its key is ${table.primaryKey.join(", ") || "none"}`,
    )
  const { sqliteAutoincrement: _, ...without } = column
  return wanted && dialect.name === "sqlite" ? { ...without, sqliteAutoincrement: true } : without
}

/** Foreign keys of other tables follow a renamed column, as both databases do. */
function renameReferences(schema: Map<string, TableSchema>, table: string, from: string, to: string): void {
  for (const [name, other] of schema) {
    const foreignKeys = other.foreignKeys.map((fk) =>
      fk.referencedTable === table
        ? { ...fk, referencedColumns: fk.referencedColumns.map((c) => (c === from ? to : c)) }
        : fk,
    )
    schema.set(name, { ...other, foreignKeys })
  }
}
