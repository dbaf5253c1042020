// Autogenerate's comparison: the models' schema against the live one, as changes that each carry
// their upgrade operations and the downgrade operations that undo them. Like Alembic's compare
// module, it cannot see renames: a renamed table or column shows as a drop and an add, and the
// change says so for the person reviewing the revision.
import { compareTables } from "./compare-table.ts"
import type { Operation } from "./operations.ts"
import { type DatabaseSchema, tablesInDependencyOrder } from "./schema.ts"
import { createIndex, createTable } from "./schema-operations.ts"

export interface Change {
  readonly upgrade: readonly Operation[]
  /** In the order they run: a table or column comes back first, then its indexes and constraints. */
  readonly downgrade: readonly Operation[]
  /** Written above the operations in the revision: what the reviewer should check. */
  readonly comment?: string
}

export function compareSchemas(database: DatabaseSchema, models: DatabaseSchema): Change[] {
  const added = tablesInDependencyOrder([...models.values()].filter((t) => !database.has(t.name)))
  const removed = tablesInDependencyOrder([...database.values()].filter((t) => !models.has(t.name))).reverse()
  const renameHint =
    added.length > 0 && removed.length > 0
      ? `; if it was renamed to ${added.map((t) => t.name).join(" or ")}, use op.renameTable instead`
      : ""
  return [
    ...added.map((table) => ({
      upgrade: [createTable(table), ...table.indexes.map((ix) => createIndex(table.name, ix))],
      downgrade: [{ kind: "dropTable", table: table.name } as const],
    })),
    ...removed.map((table) => ({
      upgrade: [{ kind: "dropTable", table: table.name } as const],
      downgrade: [createTable(table), ...table.indexes.map((ix) => createIndex(table.name, ix))],
      comment: `Table "${table.name}" is not in the models: check that dropping it (and its rows) is intended${renameHint}`,
    })),
    ...[...models.values()].flatMap((model) => {
      const live = database.get(model.name)
      return live ? compareTables(live, model) : []
    }),
  ]
}
