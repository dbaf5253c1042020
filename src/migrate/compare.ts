// Autogenerate's comparison: the models' schema against the live one, as changes that each carry
// their upgrade operations and the downgrade operations that undo them. Like Alembic's compare
// module, it cannot see renames: a renamed table or column shows as a drop and an add, and the
// change says so for the person reviewing the revision.
import { readDefault, type ServerDefault, stripped, writableDefault } from "./defaults.ts"
import type { ColumnDef, Operation } from "./operations.ts"
import {
  type ColumnSchema,
  type DatabaseSchema,
  type ForeignKeySchema,
  type TableSchema,
  tablesInDependencyOrder,
} from "./schema.ts"

export interface Change {
  readonly upgrade: readonly Operation[]
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

function compareTables(live: TableSchema, model: TableSchema): Change[] {
  const table = model.name
  const liveColumns = new Map(live.columns.map((c) => [c.name, c]))
  const modelColumns = new Map(model.columns.map((c) => [c.name, c]))
  const newColumns = model.columns.filter((c) => !liveColumns.has(c.name))
  const goneColumns = live.columns.filter((c) => !modelColumns.has(c.name))
  const gone = new Set(goneColumns.map((c) => c.name))
  const touchesGone = (columns: readonly string[]) => columns.some((c) => gone.has(c))
  const renameHint = (column: string) =>
    newColumns.length > 0
      ? `; if it was renamed to ${newColumns.map((c) => c.name).join(" or ")}, use op.alterColumn("${table}", "${column}", { newName }) instead`
      : ""

  const dropIndexes: Change[] = []
  const createIndexes: Change[] = []
  for (const ix of live.indexes) {
    const match = model.indexes.find((m) => m.name === ix.name)
    if (match && sameList(match.columns, ix.columns) && match.unique === ix.unique) continue
    if (!touchesGone(ix.columns)) {
      dropIndexes.push({
        upgrade: [{ kind: "dropIndex", table, name: ix.name }],
        downgrade: [createIndex(table, ix)],
      })
    }
  }
  for (const ix of model.indexes) {
    const match = live.indexes.find((l) => l.name === ix.name)
    if (match && sameList(match.columns, ix.columns) && match.unique === ix.unique) continue
    createIndexes.push({
      upgrade: [createIndex(table, ix)],
      downgrade: [{ kind: "dropIndex", table, name: ix.name }],
    })
  }

  const dropConstraints: Change[] = []
  const createConstraints: Change[] = []
  for (const fk of live.foreignKeys) {
    if (model.foreignKeys.some((m) => sameForeignKey(m, fk)) || touchesGone(fk.columns)) continue
    if (fk.name)
      dropConstraints.push({
        upgrade: [{ kind: "dropConstraint", table, name: fk.name }],
        downgrade: [createForeignKey(table, fk)],
      })
  }
  for (const fk of model.foreignKeys) {
    if (live.foreignKeys.some((l) => sameForeignKey(l, fk)) || !fk.name) continue
    createConstraints.push({
      upgrade: [createForeignKey(table, fk)],
      downgrade: [{ kind: "dropConstraint", table, name: fk.name }],
    })
  }
  for (const uq of live.uniques) {
    if (model.uniques.some((m) => sameList(m.columns, uq.columns)) || touchesGone(uq.columns) || !uq.name)
      continue
    dropConstraints.push({
      upgrade: [{ kind: "dropConstraint", table, name: uq.name }],
      downgrade: [{ kind: "createUniqueConstraint", table, name: uq.name, columns: uq.columns }],
    })
  }
  for (const uq of model.uniques) {
    if (live.uniques.some((l) => sameList(l.columns, uq.columns)) || !uq.name) continue
    createConstraints.push({
      upgrade: [{ kind: "createUniqueConstraint", table, name: uq.name, columns: uq.columns }],
      downgrade: [{ kind: "dropConstraint", table, name: uq.name }],
    })
  }
  // Databases rewrite CHECK conditions (PostgreSQL casts and parenthesizes), so checks match by name.
  for (const ck of live.checks) {
    if (!ck.name || model.checks.some((m) => m.name === ck.name)) continue
    if ([...gone].some((c) => ck.sql.includes(c))) continue
    dropConstraints.push({
      upgrade: [{ kind: "dropConstraint", table, name: ck.name }],
      downgrade: [{ kind: "createCheckConstraint", table, name: ck.name, sql: ck.sql }],
    })
  }
  for (const ck of model.checks) {
    if (!ck.name || live.checks.some((l) => l.name === ck.name)) continue
    createConstraints.push({
      upgrade: [{ kind: "createCheckConstraint", table, name: ck.name, sql: ck.sql }],
      downgrade: [{ kind: "dropConstraint", table, name: ck.name }],
    })
  }

  const addColumns: Change[] = newColumns.map((column) => ({
    upgrade: [{ kind: "addColumn", table, column: columnDef(column, false) }],
    downgrade: [{ kind: "dropColumn", table, column: column.name }],
  }))
  const alterColumns: Change[] = model.columns.flatMap((column) => {
    const current = liveColumns.get(column.name)
    return current ? alterColumn(table, current, column) : []
  })
  const dropColumns: Change[] = goneColumns.map((column) => ({
    upgrade: [{ kind: "dropColumn", table, column: column.name }],
    downgrade: [
      { kind: "addColumn", table, column: columnDef(column, false) },
      ...live.indexes.filter((ix) => ix.columns.includes(column.name)).map((ix) => createIndex(table, ix)),
      ...live.foreignKeys
        .filter((fk) => fk.name && fk.columns.includes(column.name))
        .map((fk) => createForeignKey(table, fk)),
      ...live.uniques
        .filter((uq) => uq.name && uq.columns.includes(column.name))
        .map(
          (uq) =>
            ({
              kind: "createUniqueConstraint",
              table,
              name: uq.name as string,
              columns: uq.columns,
            }) as const,
        ),
    ],
    comment: `Column "${table}.${column.name}" is not in the models: check that dropping it (and its values) is intended${renameHint(column.name)}`,
  }))
  return [
    ...dropIndexes,
    ...dropConstraints,
    ...addColumns,
    ...alterColumns,
    ...dropColumns,
    ...createConstraints,
    ...createIndexes,
  ]
}

function alterColumn(table: string, live: ColumnSchema, model: ColumnSchema): Change[] {
  const upgrade: { type?: ColumnDef["type"]; nullable?: boolean; default?: ServerDefault | null } = {}
  const downgrade: typeof upgrade = {}
  if (live.type !== model.type && !(live.autoincrement && model.autoincrement)) {
    upgrade.type = model.source ?? model.type
    downgrade.type = live.type
  }
  if (live.nullable !== model.nullable) {
    upgrade.nullable = model.nullable
    downgrade.nullable = live.nullable
  }
  if (!model.autoincrement && comparable(live.default) !== comparable(model.default)) {
    upgrade.default = model.default === undefined ? null : portable(model)
    downgrade.default = live.default === undefined ? null : portable(live)
  }
  if (Object.keys(upgrade).length === 0) return []
  return [
    {
      upgrade: [{ kind: "alterColumn", table, column: model.name, changes: upgrade }],
      downgrade: [{ kind: "alterColumn", table, column: model.name, changes: downgrade }],
    },
  ]
}

/** A column's default as a revision writes it: as the model states it, or read back portably. */
function portable(column: ColumnSchema): ServerDefault {
  return writableDefault(
    column.sourceDefault ?? readDefault(column.default ?? "NULL", column.type),
    column.default ?? "NULL",
  )
}

function createTable(table: TableSchema): Operation {
  const single = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined
  return {
    kind: "createTable",
    table: table.name,
    columns: table.columns.map((c) => columnDef(c, c.name === single)),
    extras: {
      ...(table.primaryKey.length > 1 ? { primaryKey: table.primaryKey } : {}),
      ...(table.foreignKeys.length > 0
        ? { foreignKeys: table.foreignKeys.map((fk) => ({ ...foreignKeyDef(fk) })) }
        : {}),
      ...(table.uniques.length > 0
        ? {
            uniques: table.uniques.map((uq) => ({
              ...(uq.name ? { name: uq.name } : {}),
              columns: uq.columns,
            })),
          }
        : {}),
      ...(table.checks.length > 0
        ? { checks: table.checks.map((ck) => ({ ...(ck.name ? { name: ck.name } : {}), sql: ck.sql })) }
        : {}),
    },
  }
}

function columnDef(column: ColumnSchema, primaryKey: boolean): ColumnDef {
  return {
    name: column.name,
    type: column.source ?? column.type,
    ...(column.nullable ? { nullable: true } : {}),
    ...(column.default === undefined ? {} : { default: portable(column) }),
    ...(primaryKey ? { primaryKey: true } : {}),
    ...(column.autoincrement ? { autoincrement: true } : {}),
  }
}

function foreignKeyDef(fk: ForeignKeySchema) {
  return {
    ...(fk.name ? { name: fk.name } : {}),
    columns: fk.columns,
    referencedTable: fk.referencedTable,
    referencedColumns: fk.referencedColumns,
    ...(fk.onDelete ? { onDelete: fk.onDelete } : {}),
    ...(fk.onUpdate ? { onUpdate: fk.onUpdate } : {}),
  }
}

function createIndex(
  table: string,
  ix: { name: string; columns: readonly string[]; unique: boolean },
): Operation {
  return { kind: "createIndex", table, name: ix.name, columns: ix.columns, unique: ix.unique }
}

function createForeignKey(table: string, fk: ForeignKeySchema): Operation {
  return { kind: "createForeignKey", table, foreignKey: { ...foreignKeyDef(fk), name: fk.name as string } }
}

function comparable(sql: string | undefined): string | undefined {
  return sql === undefined ? undefined : stripped(sql)
}

function sameForeignKey(a: ForeignKeySchema, b: ForeignKeySchema): boolean {
  return (
    sameList(a.columns, b.columns) &&
    a.referencedTable === b.referencedTable &&
    sameList(a.referencedColumns, b.referencedColumns) &&
    (a.onDelete ?? "NO ACTION") === (b.onDelete ?? "NO ACTION") &&
    (a.onUpdate ?? "NO ACTION") === (b.onUpdate ?? "NO ACTION")
  )
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
