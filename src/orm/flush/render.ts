// What a dialect's flush renderer produces: statements for one request, each with what to do with the
// rows it returns. Shared helpers for both dialects live here.

import type { Dialect } from "../../sql/compiler/dialect.ts"
import { deleteFrom } from "../../sql/delete.ts"
import { and, type Expression, literal, or, RawSql } from "../../sql/expression.ts"
import type { Column } from "../../sql/schema/column.ts"
import type { Table } from "../../sql/schema/table.ts"
import { select } from "../../sql/select.ts"
import type { Statement } from "../../sql/statement.ts"
import { type SqlType, Text } from "../../sql/types.ts"
import { update } from "../../sql/update.ts"
import { parseDecimal } from "../../sql/value-checks.ts"
import { valueKey } from "../identity-map.ts"
import type { InstanceState } from "../state.ts"
import { type InsertStep, KeyRef, type Linking, type Step, type WriteStep } from "./plan.ts"
import { Unreadable } from "./returned.ts"

/** Marks the statements whose failure means a stale row; the session turns it into StaleDataError. */
export const STALE_MARKER = "edgealchemy-stale"

export interface RenderedStatement {
  readonly statement: Statement
  /** Applies the decoded rows the statement returned to the objects it wrote. */
  readonly apply: (rows: readonly unknown[][]) => void
}

export interface FlushRenderer {
  /** The flush's statements, compiled for `dialect` (the engine's: a renderer imports no dialect). */
  render(steps: readonly Step[], dialect: Dialect): RenderedStatement[]
}

/** Where each object inserted by the plan is: its step and row number (1-based within the step). */
export function insertPositions(steps: readonly Step[]): Map<InstanceState, { step: number; row: number }> {
  const positions = new Map<InstanceState, { step: number; row: number }>()
  steps.forEach((step, index) => {
    if (step.kind !== "insert") return
    step.rows.forEach((row, i) => {
      if (row.state) positions.set(row.state, { step: index, row: i + 1 })
    })
  })
  return positions
}

/** Values as Core understands them: KeyRefs become the dialect's SQL for the key. */
export function coreValues(
  values: Map<string, unknown>,
  keyRef: (ref: KeyRef, column: Column<unknown>) => string,
  table: Table,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of values) out[key] = coreValue(value, table.requireColumn(key), keyRef)
  return out
}

function coreValue(
  value: unknown,
  column: Column<unknown>,
  keyRef: (ref: KeyRef, column: Column<unknown>) => string,
): unknown {
  return value instanceof KeyRef ? new RawSql(keyRef(value, column), column.type) : value
}

/**
 * `a = 1 AND b = 2` over the columns of a row key (a key may be a KeyRef: a row of this flush). With
 * `oneRow`, a timestamp is found by its millisecond (`at >= $1 AND at < $1 + 1 ms`): a Date holds
 * milliseconds, PostgreSQL's timestamp microseconds, so a row written with more (by now(), by another
 * client) did not equal the Date it read as. The statement refuses two rows found so (mustMatchOne).
 * SQLite compares timestamps as text: with `secondsText`, a whole second is also found as the text
 * CURRENT_TIMESTAMP writes, without milliseconds, which sorts before the range.
 */
export function whereRow(
  table: Table,
  where: Map<string, unknown>,
  keyRef: (ref: KeyRef, column: Column<unknown>) => string,
  oneRow = false,
  secondsText = false,
): Expression<boolean> {
  const values = coreValues(where, keyRef, table)
  return and(
    ...Object.entries(values).map(([key, value]) => {
      const column = table.requireColumn(key) as Column<unknown>
      if (!oneRow || !(value instanceof Date)) return column.eq(value as never)
      const within = and(column.ge(value as never), column.lt(new Date(value.getTime() + 1) as never))
      if (!secondsText || value.getUTCMilliseconds() !== 0) return within
      const seconds = value.toISOString().slice(0, 19).replace("T", " ")
      return or(within, column.eq(literal(seconds, Text) as never))
    }),
  )
}

/** The column types of `[extra..., the columns returned]`, for decoding returned rows. */
export function rowTypes(
  table: Table,
  extra: number,
  columns: readonly Expression<unknown>[] = table.columns,
): SqlType<unknown>[] {
  return [...Array.from({ length: extra }, () => Text as SqlType<unknown>), ...columns.map((c) => c.type)]
}

/**
 * Writes a returned row (after `skip` leading columns) into the object: values and snapshot. A row of
 * `columns` (readBack's) holds NULL for a long value: it takes the value from `written`, what the
 * statement wrote or the row held.
 */
export function applyRow(
  state: InstanceState | undefined,
  table: Table,
  row: readonly unknown[],
  skip: number,
  columns: readonly Expression<unknown>[] = table.columns,
  written?: ReadonlyMap<string, unknown>,
): void {
  if (!state) return
  // A key that could not be read (./returned.ts) names no row: the object is not given this one.
  if (table.primaryKey.some((key) => row[table.columns.indexOf(key) + skip] instanceof Unreadable)) return
  const committed: Record<string, unknown> = {}
  table.columns.forEach((column, i) => {
    const value = row[i + skip]
    const given = written?.get(column.key)
    // Not invented: unloaded, as SQLAlchemy's expired attribute (refresh() reads it, and says why not).
    if (value instanceof Unreadable) delete state.values[column.key]
    else committed[column.key] = value === null && columns[i] !== column && isLong(given) ? given : value
  })
  Object.assign(state.values, committed)
  state.committed = committed
}

/** Kinds whose values both databases keep exactly as given, and that may be megabytes. */
const KEPT_AS_GIVEN = new Set(["text", "string", "binary"])

/** Characters (or bytes) from which a value is long enough that reading it back costs more than knowing it. */
const LONG_VALUE = 1024

const isLong = (value: unknown) =>
  (typeof value === "string" || value instanceof Uint8Array) && value.length >= LONG_VALUE

/**
 * What a flush statement reads back (RETURNING) for rows holding `rows` (column key to value, as
 * written or as the row already has them): every column, in order, but text and bytes columns where
 * every row holds a plain value and some row a long one come back only where short, as
 * `CASE WHEN length(c) < 1024 THEN c END` (NULL where long: applyRow takes what was written). Returned
 * whole, long values made a commit's answer as large as the documents it wrote, or, for an UPDATE of
 * another column, as those it left alone: past the 10 MB an answer may carry over Neon HTTP or libSQL,
 * the commit failed (a rolled-back answer lost on Neon). Short values still come back, each row's: a
 * trigger may have changed them (an email lowercased), and the object must hold what the row holds.
 * (A multi-row INSERT left a column out whole when one row's value was long.)
 */
export function readBack(
  table: Table,
  rows: readonly ReadonlyMap<string, unknown>[],
  dialect: Dialect,
): readonly Expression<unknown>[] {
  const plain = (value: unknown) => value === null || typeof value === "string" || value instanceof Uint8Array
  const kept = (column: Column<unknown>) =>
    KEPT_AS_GIVEN.has(column.type.kind) &&
    !column.primaryKey &&
    rows.every((row) => row.has(column.key) && plain(row.get(column.key))) &&
    rows.some((row) => isLong(row.get(column.key)))
  if (!table.columns.some(kept)) return table.columns
  // Raw SQL, the same on both dialects: SQLite's INSERT writes its RETURNING out (./sqlite.ts).
  const shortOnly = (column: Column<unknown>) => {
    const name = dialect.createCompiler({}).quote(column.name)
    return new RawSql(`CASE WHEN length(${name}) < ${LONG_VALUE} THEN ${name} END`, column.type)
  }
  return table.columns.map((column) => (kept(column) ? shortOnly(column) : column))
}

/** An UPDATE's row as it will be: the row as the object holds it, with the statement's new values. */
export function updatedRow(step: WriteStep): Map<string, unknown> {
  return new Map([...Object.entries(step.state?.committed ?? {}), ...step.values])
}

/**
 * The key of a row added with `addUnique`, found by its unique values (it may be new or not), as a
 * subquery with the values inline: what later statements of the flush use for it.
 */
export function uniqueKeySql(state: InstanceState, dialect: Dialect): string {
  const table = state.mapper.table
  const [key] = state.mapper.primaryKey as [Column<unknown>]
  const found = (state.uniqueBy ?? []).map((k) => table.requireColumn(k).eq(state.values[k] as never))
  return `(${
    select(key)
      .where(and(...found))
      .compile(dialect, { literalBinds: true }).sql
  })`
}

/**
 * Gives each inserted row's object the returned row with the same values in `columns` (a key the
 * application gave, or a unique key), for statements whose rows come back in any order.
 */
export function applyMatching(
  step: InsertStep,
  returned: readonly unknown[][],
  columns: readonly Column<unknown>[],
  returnedColumns: readonly Expression<unknown>[] = step.table.columns,
): void {
  const positions = columns.map((column) => returnedColumns.indexOf(column))
  const keyOf = (values: readonly unknown[]) =>
    JSON.stringify(values.map((value, i) => matchKey(value, columns[i] as Column<unknown>)))
  // Indexed by their values: searching the returned rows for each row was quadratic in the rows.
  const byValues = new Map<string, readonly unknown[]>()
  for (const values of returned) {
    const key = keyOf(positions.map((p) => values[p]))
    if (!byValues.has(key)) byValues.set(key, values)
  }
  for (const row of step.rows) {
    if (!row.state) continue
    const match = byValues.get(keyOf(columns.map((column) => row.values.get(column.key))))
    if (match) applyRow(row.state, step.table, match, 0, returnedColumns, row.values)
  }
}

/**
 * A value as a returned row is matched by it: as identities compare (a Date by its milliseconds: its
 * text stops at the second, and two keys of one second took one row), and a decimal by its number, as
 * the database gives it back in its own spelling (`"0.3"` is `"0.30"` from a Numeric(10, 2)).
 */
function matchKey(value: unknown, column: Column<unknown>): unknown {
  if (column.type.kind !== "numeric" || typeof value !== "string") return valueKey(value)
  const decimal = parseDecimal(value)
  const digits = value
    .replace(/e.*/i, "")
    .replace(/\D/g, "")
    .replace(/^0+|0+$/g, "")
  return decimal ? `${decimal.negative && digits ? "-" : ""}${digits}e${decimal.exponent}` : value
}

/**
 * The Core UPDATE (returning the row) or DELETE of a write step, with KeyRefs rendered by the dialect;
 * `secondsText` as for whereRow.
 */
export function writeStatement(
  step: WriteStep,
  keyRef: (ref: KeyRef, column: Column<unknown>) => string,
  returnDeleted: boolean,
  secondsText = false,
  returned: readonly Expression<unknown>[] = step.table.columns,
): Statement {
  const { table, keep, linking } = step
  const kept = keep && table.requireColumn(keep.column)
  // `where` finds rows of the table at the bottom of the links, and each link the rows above.
  const links: Linking[] = []
  for (let at = linking; at; at = at.via) links.unshift(at)
  let found = whereRow(
    links[0]?.table ?? table,
    step.where,
    keyRef,
    step.mustMatchOne || step.byParentKey,
    secondsText,
  )
  const bottom = links[0]
  if (bottom?.subtree) found = inSubtree(bottom.table, found, bottom.subtree)
  for (const { link, own } of links) found = link.in(select(own).where(found) as never)
  const where = and(
    found,
    ...(kept ? [kept.notIn(keep?.values.map((value) => coreValue(value, kept, keyRef)) as never)] : []),
  )
  if (step.kind === "update") {
    return update(table)
      .values(coreValues(step.values, keyRef, table) as never)
      .where(where)
      .returning(...returned)
  }
  const statement = deleteFrom(table).where(step.subtree ? inSubtree(table, where, step.subtree) : where)
  return returnDeleted ? statement.returning(...returned) : statement
}

/**
 * `t.id IN (WITH RECURSIVE subtree AS (SELECT id FROM t WHERE <where> UNION SELECT t.id FROM t JOIN
 * subtree ON t.parent_id = subtree.id) SELECT subtree.id FROM subtree)`: the rows and all below them.
 * Deleted so (`DELETE FROM t WHERE ...`), both databases check foreign keys at the statement's end,
 * when all are gone. UNION, not UNION ALL: rows whose parent links form a cycle made UNION ALL endless
 * (the request ran until it timed out, the database working on it the while).
 */
function inSubtree(
  table: Table,
  where: Expression<boolean>,
  pairs: readonly (readonly [Column<unknown>, Column<unknown>])[],
): Expression<boolean> {
  const [key] = table.primaryKey as [Column<unknown>]
  const start = select(key).where(where).cte("subtree", { recursive: true })
  const below = select(key).join(
    start,
    and(...pairs.map(([parent, child]) => child.eq(start.c[parent.key] as never))),
  )
  const tree = start.union(below)
  return key.in(select(tree.c[key.key] as Column<unknown>) as never)
}
