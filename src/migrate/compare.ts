// Autogenerate's comparison: the models' schema against the live one, as changes that each carry
// their upgrade operations and the downgrade operations that undo them. Like Alembic's compare
// module, it cannot see renames: a renamed table or column shows as a drop and an add, and the
// change says so for the person reviewing the revision.
import { compareTables, type TablePhases } from "./compare-table.ts"
import type { Operation } from "./operations.ts"
import {
  type DatabaseSchema,
  type ForeignKeySchema,
  type TableSchema,
  tablesInDependencyOrder,
} from "./schema.ts"
import { createForeignKey, createIndex, createTable } from "./schema-operations.ts"

export interface Change {
  readonly upgrade: readonly Operation[]
  /** In the order they run: a table or column comes back first, then its indexes and constraints. */
  readonly downgrade: readonly Operation[]
  /** Written above the operations in the revision: what the reviewer should check. */
  readonly comment?: string
}

export function compareSchemas(database: DatabaseSchema, models: DatabaseSchema): Change[] {
  // A new table's key to a table that stays waits for that table's changes when it needs a unique
  // column the table gets in them (PostgreSQL refuses a key over columns not yet unique).
  const notKeyedYet = (fk: ForeignKeySchema) => {
    const live = database.get(fk.referencedTable)
    return live !== undefined && !hasKeyOver(live, fk.referencedColumns)
  }
  const added = withoutForwardKeys(
    tablesInDependencyOrder([...models.values()].filter((t) => !database.has(t.name))),
    notKeyedYet,
  )
  const removed = withoutForwardKeys(
    tablesInDependencyOrder([...database.values()].filter((t) => !models.has(t.name))),
    () => false,
  )
  const renameHint =
    added.tables.length > 0 && removed.tables.length > 0
      ? `; if it was renamed to ${added.tables.map((t) => t.name).join(" or ")}, use op.renameTable instead`
      : ""
  return [
    ...added.tables.map((table) => ({
      upgrade: [createTable(table), ...table.indexes.map((ix) => createIndex(table.name, ix))],
      downgrade: [{ kind: "dropTable", table: table.name } as const],
    })),
    ...phaseByPhase(
      [...models.values()].flatMap((model) => {
        const live = database.get(model.name)
        return live ? [compareTables(live, model)] : []
      }),
    ),
    ...added.forwardKeys.map(([table, fk]) => ({
      upgrade: [createForeignKey(table, fk)],
      downgrade: [{ kind: "dropConstraint", table, name: fk.name as string } as const],
    })),
    // Last, once the tables that stay no longer reference them (their keys or columns dropped above).
    ...removed.forwardKeys.map(([table, fk]) => ({
      upgrade: [{ kind: "dropConstraint", table, name: fk.name as string } as const],
      downgrade: [createForeignKey(table, fk)],
    })),
    ...[...removed.tables].reverse().map((table) => ({
      upgrade: [{ kind: "dropTable", table: table.name } as const],
      // SQLite: its triggers and hand-made indexes come back as written.
      downgrade: [
        createTable(table),
        ...table.indexes.map((ix) => createIndex(table.name, ix)),
        ...[...(table.handMadeIndexes ?? []).map((ix) => ix.sql), ...(table.triggers ?? [])].map(
          (sql) => ({ kind: "execute", sql }) as const,
        ),
      ],
      comment:
        `Table "${table.name}" is not in the models: check that dropping it (and its rows) is intended${renameHint}` +
        (table.rebuildLoses?.length
          ? `; the downgrade creates it again without ${table.rebuildLoses.join(", ")}, which it cannot write`
          : ""),
    })),
  ]
}

/**
 * Tables on a foreign-key cycle (users.best_post_id -> posts, posts.user_id -> users) cannot all be
 * created with their keys: PostgreSQL refuses a reference to a table not created yet, and refuses to
 * drop a table another still references. Such a key (a named one) is left out of its table and added
 * once every table is there, or dropped before any table goes, as SQLAlchemy's use_alter does.
 */
function withoutForwardKeys(
  ordered: readonly TableSchema[],
  /** Also left out: keys to a table not in `ordered` that cannot take them yet. */
  notYet: (fk: ForeignKeySchema) => boolean,
): {
  tables: TableSchema[]
  forwardKeys: [string, ForeignKeySchema][]
} {
  const forwardKeys: [string, ForeignKeySchema][] = []
  const tables = ordered.map((table, i) => {
    const later = new Set(ordered.slice(i + 1).map((t) => t.name))
    const forward = table.foreignKeys.filter((fk) => fk.name && (later.has(fk.referencedTable) || notYet(fk)))
    for (const fk of forward) forwardKeys.push([table.name, fk])
    return forward.length === 0
      ? table
      : { ...table, foreignKeys: table.foreignKeys.filter((fk) => !forward.includes(fk)) }
  })
  return { tables, forwardKeys }
}

/** Every table's first phase, then every table's second, and so on (see TablePhases). */
function phaseByPhase(tables: readonly TablePhases[]): Change[] {
  const phases = tables[0]?.length ?? 0
  return Array.from({ length: phases }, (_, phase) => tables.flatMap((t) => t[phase] ?? [])).flat()
}

/** Whether the table's primary key, a unique constraint or a unique index is over exactly these columns. */
function hasKeyOver(table: TableSchema, columns: readonly string[]): boolean {
  const same = (keyed: readonly string[]) =>
    keyed.length === columns.length && keyed.every((c) => columns.includes(c))
  return (
    same(table.primaryKey) ||
    table.uniques.some((uq) => same(uq.columns)) ||
    table.indexes.some((ix) => ix.unique && same(ix.columns))
  )
}
