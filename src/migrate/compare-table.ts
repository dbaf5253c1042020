// One table's differences between the live schema and the models': columns (added, dropped,
// altered in type, nullability or default), indexes, and foreign key, unique and check constraints.
// Changes come in phases so that each applies: what goes away first, then new columns, alterations,
// dropped columns, and last the constraints and indexes that may use the new columns.
import type { Change } from "./compare.ts"
import { comparableDefault, type ServerDefault } from "./defaults.ts"
import type { ColumnDef } from "./operations.ts"
import type { ColumnSchema, ForeignKeySchema, TableSchema } from "./schema.ts"
import { columnDef, createForeignKey, createIndex, portable } from "./schema-operations.ts"
import { literalValues, mentionsColumn } from "./sql-names.ts"

/**
 * A table's changes in the phases they run in, so that the changes of several tables run phase by
 * phase: every table's keys are dropped before any column they reference goes, and every unique
 * constraint is there before a foreign key that needs it.
 */
export type TablePhases = readonly [
  drops: Change[],
  columnAdds: Change[],
  alters: Change[],
  columnDrops: Change[],
  creates: Change[],
  foreignKeyCreates: Change[],
]

export function compareTables(live: TableSchema, model: TableSchema): TablePhases {
  const modelColumns = new Set(model.columns.map((c) => c.name))
  // Constraints and indexes on a dropped column go with it: nothing to drop separately.
  const gone = new Set(live.columns.filter((c) => !modelColumns.has(c.name)).map((c) => c.name))
  const indexes = compareIndexes(live, model, gone)
  const constraints = compareConstraints(live, model, gone)
  const columns = compareColumns(live, model)
  const isForeignKey = (change: Change) => change.upgrade.some((op) => op.kind === "createForeignKey")
  return [
    [...indexes.drops, ...constraints.drops],
    columns.adds,
    columns.alters,
    columns.drops,
    [...constraints.creates.filter((c) => !isForeignKey(c)), ...indexes.creates],
    constraints.creates.filter(isForeignKey),
  ]
}

interface DropsAndCreates {
  readonly drops: Change[]
  readonly creates: Change[]
}

function compareIndexes(live: TableSchema, model: TableSchema, gone: ReadonlySet<string>): DropsAndCreates {
  const table = model.name
  const touchesGone = (columns: readonly string[]) => columns.some((c) => gone.has(c))
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
      ...(ix.unique ? { comment: uniqueComment(table, ix.columns) } : {}),
    })
  }

  return { drops: dropIndexes, creates: createIndexes }
}

function compareConstraints(
  live: TableSchema,
  model: TableSchema,
  gone: ReadonlySet<string>,
): DropsAndCreates {
  const table = model.name
  const touchesGone = (columns: readonly string[]) => columns.some((c) => gone.has(c))
  const dropConstraints: Change[] = []
  const createConstraints: Change[] = []
  for (const fk of live.foreignKeys) {
    if (model.foreignKeys.some((m) => sameForeignKey(m, fk)) || touchesGone(fk.columns)) continue
    if (fk.name)
      dropConstraints.push({
        upgrade: [{ kind: "dropConstraint", table, name: fk.name }],
        downgrade: [createForeignKey(table, fk)],
        ...(fk.beyondDdl
          ? {
              comment:
                `Foreign key "${fk.name}" on ${table} is ${fk.beyondDdl}, which models cannot declare: a key the models ` +
                "put in its place, and this revision's downgrade, create it without (a transaction writing rows before " +
                "those they reference then fails); write such a key with op.execute if the application needs it",
            }
          : {}),
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
      comment: uniqueComment(table, uq.columns),
    })
  }
  // Databases rewrite CHECK conditions (PostgreSQL casts and parenthesizes), so checks match by name,
  // and by the values they name: an Enum's CHECK changes with its values, `total >= 0` with its 0.
  const changedCheck = (name: string) => {
    const [before, after] = [live, model].map((t) => t.checks.find((ck) => ck.name === name))
    return before && after && !sameValues(before.sql, after.sql)
  }
  for (const ck of live.checks) {
    if (!ck.name || (model.checks.some((m) => m.name === ck.name) && !changedCheck(ck.name))) continue
    if ([...gone].some((c) => mentionsColumn(ck.sql, c))) continue
    dropConstraints.push({
      upgrade: [{ kind: "dropConstraint", table, name: ck.name }],
      downgrade: [{ kind: "createCheckConstraint", table, name: ck.name, sql: ck.sql }],
    })
  }
  for (const ck of model.checks) {
    if (!ck.name || (live.checks.some((l) => l.name === ck.name) && !changedCheck(ck.name))) continue
    createConstraints.push({
      upgrade: [{ kind: "createCheckConstraint", table, name: ck.name, sql: ck.sql }],
      downgrade: [{ kind: "dropConstraint", table, name: ck.name }],
    })
  }

  return { drops: dropConstraints, creates: createConstraints }
}

function compareColumns(
  live: TableSchema,
  model: TableSchema,
): { adds: Change[]; alters: Change[]; drops: Change[] } {
  const table = model.name
  const liveColumns = new Map(live.columns.map((c) => [c.name, c]))
  const modelColumns = new Set(model.columns.map((c) => c.name))
  const newColumns = model.columns.filter((c) => !liveColumns.has(c.name))
  const goneColumns = live.columns.filter((c) => !modelColumns.has(c.name))
  const renameHint = (column: string) =>
    newColumns.length > 0
      ? `; if it was renamed to ${newColumns.map((c) => c.name).join(" or ")}, use op.alterColumn("${table}", "${column}", { newName }) instead`
      : ""
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
      ...live.checks
        .filter((ck) => ck.name && mentionsColumn(ck.sql, column.name))
        .map(
          (ck) => ({ kind: "createCheckConstraint", table, name: ck.name as string, sql: ck.sql }) as const,
        ),
    ],
    comment: `Column "${table}.${column.name}" is not in the models: check that dropping it (and its values) is intended${renameHint(column.name)}`,
  }))
  return { adds: addColumns, alters: alterColumns, drops: dropColumns }
}

function alterColumn(table: string, live: ColumnSchema, model: ColumnSchema): Change[] {
  const upgrade: {
    type?: ColumnDef["type"]
    nullable?: boolean
    default?: ServerDefault | null
    sqliteAutoincrement?: boolean
  } = {}
  const downgrade: typeof upgrade = {}
  if (live.type !== model.type) {
    upgrade.type = model.source ?? model.type
    downgrade.type = live.type
  }
  if (live.nullable !== model.nullable) {
    upgrade.nullable = model.nullable
    downgrade.nullable = live.nullable
  }
  if (
    !model.autoincrement &&
    comparable(live.default, model.type) !== comparable(model.default, model.type)
  ) {
    upgrade.default = model.default === undefined ? null : portable(model)
    downgrade.default = live.default === undefined ? null : portable(live)
  }
  // PostgreSQL's ALTER TYPE casts the column's default with it, and refuses a default it cannot cast
  // as it stands ('0' of a VARCHAR to INTEGER): a type change sets the default again, which renders
  // as dropping the old one first, then setting it in the new type.
  if (upgrade.type !== undefined && !model.autoincrement) {
    if (upgrade.default === undefined && model.default !== undefined) upgrade.default = portable(model)
    if (downgrade.default === undefined && live.default !== undefined) downgrade.default = portable(live)
  }
  // SQLite only (neither side has it on PostgreSQL): gained or lost, the table is rebuilt.
  if (live.sqliteAutoincrement !== model.sqliteAutoincrement) {
    upgrade.sqliteAutoincrement = model.sqliteAutoincrement === true
    downgrade.sqliteAutoincrement = live.sqliteAutoincrement === true
  }
  if (Object.keys(upgrade).length === 0) return []
  const comments = [
    ...(upgrade.nullable === false
      ? [
          `Column "${table}.${model.name}" becomes NOT NULL: the upgrade fails (and changes nothing) while a row ` +
            `holds NULL in it, which no default fills; give those rows a value first, e.g. op.execute("UPDATE ...")`,
        ]
      : []),
    ...(upgrade.sqliteAutoincrement === undefined
      ? []
      : [autoincrementComment(table, upgrade.sqliteAutoincrement)]),
  ]
  const comment = comments.length > 0 ? comments.join(". ") : undefined
  return [
    {
      upgrade: [{ kind: "alterColumn", table, column: model.name, changes: upgrade }],
      downgrade: [{ kind: "alterColumn", table, column: model.name, changes: downgrade }],
      ...(comment ? { comment } : {}),
    },
  ]
}

/**
 * SQLite: without AUTOINCREMENT a new row takes max(id) + 1, the id of the last rows deleted. The number
 * AUTOINCREMENT reached stays recorded through the rebuild (rebuild.ts), for when it comes back.
 */
function autoincrementComment(table: string, gained: boolean): string {
  const reused =
    "SQLite will give new rows the ids of the last rows deleted (max(id) + 1) until AUTOINCREMENT comes back, " +
    "which then continues past every id it gave before"
  return gained
    ? `Table "${table}" gets AUTOINCREMENT (a rebuild on SQLite): ids of deleted rows are not given again. ` +
        `Its downgrade takes AUTOINCREMENT away: ${reused}`
    : `Table "${table}" loses AUTOINCREMENT: ${reused}; keep sqliteAutoincrement in the model if ids must never be reused`
}

/** A new unique constraint or index over rows already there. */
function uniqueComment(table: string, columns: readonly string[]): string {
  return `Unique over ${table} (${columns.join(", ")}): the upgrade fails (and changes nothing) while two rows share a value`
}

function comparable(sql: string | undefined, type: string): string | undefined {
  return sql === undefined ? undefined : comparableDefault(sql, type)
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

/**
 * Whether two CHECK conditions name the same values (`status IN ('a', 'b')`, `total >= 0`). Only the
 * values: a changed operator (`>=` made `>`) is not seen, as Alembic sees no CHECK change at all; give
 * such a CHECK a new name to have it replaced.
 */
/**
 * Whether two CHECK conditions name the same values. SQLite's LIKE is written with ESCAPE '\\' (as
 * PostgreSQL's default): a check made before that was written has none, and is the same check.
 */
function sameValues(a: string, b: string): boolean {
  const [x, y] = [a, b].map((sql) => new Set(literalValues(sql.replaceAll(" ESCAPE '\\'", ""))))
  return x?.size === y?.size && [...(x ?? [])].every((value) => y?.has(value))
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
