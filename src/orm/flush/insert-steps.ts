// Insert planning: the order tables take new rows in, and each table's rows as steps (rows that may
// exist first, then rows that give their own keys, then the rest level by level, a tree's parents
// before its children), each statement within the databases' parameter limits.
import { InvalidRequestError } from "../../errors.ts"
import type { Column } from "../../sql/schema/column.ts"
import type { ForeignKeyConstraint } from "../../sql/schema/constraints.ts"
import { clientDefault, isGeneratedKey, type Table } from "../../sql/schema/table.ts"
import { topologicalSort } from "../../util/topological-sort.ts"
import { type Mapper, relationshipsOf } from "../mapper.ts"
import { type InstanceState, sameValue } from "../state.ts"
import { KeyRef } from "./key-ref.ts"
import { sortByKey } from "./lock-order.ts"
import type { InsertRow, InsertStep, WriteStep } from "./plan.ts"

/** Values one statement may carry: under PostgreSQL's 65,535 and SQLite's 32,766 parameter limits. */
const MAX_PARAMETERS = 30_000

/** A row's values in the columns that identify it, for sorting rows by key. */
export const rowKeyIn = (columns: readonly string[]) => (row: InsertRow) =>
  columns.map((key) => row.values.get(key))

/**
 * Tables in the order their new rows can be inserted: after the tables they reference by foreign key,
 * and after the tables whose new keys their rows hold (a KeyRef set by a listener).
 */
export function insertOrder(order: readonly Table[], pending: readonly InstanceState[]): Table[] {
  const deferred = deferredForeignKeys(pending.map((state) => state.mapper))
  const extra = new Map<Table, Set<Table>>()
  for (const state of pending) {
    for (const value of Object.values(state.values)) {
      if (!(value instanceof KeyRef) || value.state.mapper.table === state.mapper.table) continue
      const deps = extra.get(state.mapper.table) ?? new Set<Table>()
      deps.add(value.state.mapper.table)
      extra.set(state.mapper.table, deps)
    }
  }
  if (extra.size === 0) return [...order]
  const byName = (name: string) => order.find((t) => t.name === name)
  const { sorted, cyclic } = topologicalSort(order, (table) => [
    ...table.foreignKeys
      .filter((fk) => !deferred.has(fk))
      .map((fk) => byName(fk.referencedTable))
      .filter((t): t is Table => t !== undefined),
    ...(extra.get(table) ?? []),
  ])
  return [...sorted, ...cyclic]
}

/**
 * The foreign keys of these mappers' tables that a `postUpdate` many-to-one sets once the rows exist (and
 * sets to NULL before a DELETE): the application's way to break a cycle of tables (a department naming
 * its head, who works in it), so they do not order inserts or deletes. Left in, the cycle's tables went
 * in the order their models were declared, and the row the other one's key names came second.
 */
export function deferredForeignKeys(mappers: Iterable<Mapper>): Set<ForeignKeyConstraint> {
  const deferred = new Set<ForeignKeyConstraint>()
  for (const mapper of new Set(mappers)) {
    for (const property of relationshipsOf(mapper).values()) {
      if (property.direction !== "many-to-one" || !property.spec.options.postUpdate) continue
      const keys = property.pairs.map(([local]) => local.key)
      for (const fk of mapper.table.foreignKeys) {
        if (fk.columns.length === keys.length && fk.columns.every((key) => keys.includes(key)))
          deferred.add(fk)
      }
    }
  }
  return deferred
}

/**
 * Whether an UPDATE must wait for rows this flush has yet to insert (`waiting`): it sets a key of one
 * of them (a KeyRef), or a foreign key to the values a new row gives its own key.
 */
export function needsNewRows(step: WriteStep, waiting: ReadonlySet<InstanceState>): boolean {
  for (const value of step.values.values()) {
    if (value instanceof KeyRef && waiting.has(value.state)) return true
  }
  for (const fk of step.table.foreignKeys) {
    if (!fk.columns.some((key) => step.values.has(key))) continue
    const values = fk.columns.map((key) =>
      step.values.has(key) ? step.values.get(key) : step.state?.values[key],
    )
    for (const row of waiting) {
      const table = row.mapper.table
      if (table.name !== fk.referencedTable) continue
      const referenced = fk.referencedColumns.map((name) => row.values[table.requireColumn(name).key])
      if (referenced.every((value, i) => value != null && sameValue(value, values[i]))) return true
    }
  }
  return false
}

/**
 * Insert steps for one table: rows whose keys other rows of the same table need come first (a tree of
 * categories is inserted level by level).
 */
export function insertSteps(table: Table, states: InstanceState[]): InsertStep[] {
  if (states.length === 0) return []
  const mapper = (states[0] as InstanceState).mapper
  const generatedKey = mapper.primaryKey.find((col) => isGeneratedKey(col))
  // Rows that may already exist go first: they are found by their unique values, not by position, and
  // inserting them before the table's other new rows keeps those rows' positions exact.
  const steps = uniqueSteps(table, generatedKey, states)
  // Rows that give their own key where the database would generate it go next, as rows of a table
  // without generated keys: SQLite's generated keys come from `max(key)`, which they may move. One
  // that refers to a new row of its table goes after it, among the levels below.
  const all = new Set(states)
  const keyed = generatedKey
    ? states.filter((state) => !state.uniqueBy && givesKey(state, generatedKey) && !dependsOnAny(state, all))
    : []
  steps.push(...givenKeySteps(table, keyed))
  const keyedSet = new Set(keyed)
  const remaining = states.filter((state) => !state.uniqueBy && !keyedSet.has(state))
  for (const ready of levelsOf(table, remaining)) {
    const rows = ready.map((state) => ({ state, values: insertValues(state) }))
    // Keys the application gives may be taken by others: those rows go in key order. Generated keys
    // are new to everyone and follow add order.
    if (!generatedKey) sortByKey(rows, rowKeyIn(mapper.primaryKey.map((column) => column.key)))
    steps.push(...statementsOf(table, generatedKey, rows))
  }
  return steps
}

/**
 * The rows in levels, each after the levels of the rows whose new keys it holds, in add order within
 * a level. Each row's level is found once (a chain 10,000 rows deep took 15 s when every level searched
 * all the rows left), without recursion (as deep as the chain).
 */
function levelsOf(table: Table, states: readonly InstanceState[]): InstanceState[][] {
  const among = new Set(states)
  const level = new Map<InstanceState, number>()
  const visiting = new Set<InstanceState>()
  const dependencies = (state: InstanceState) =>
    Object.values(state.values).flatMap((value) =>
      value instanceof KeyRef && value.state !== state && among.has(value.state) ? [value.state] : [],
    )
  for (const start of states) {
    const stack = [start]
    while (stack.length > 0) {
      const state = stack[stack.length - 1] as InstanceState
      if (level.has(state)) {
        stack.pop()
        continue
      }
      const pending = dependencies(state).filter((dependency) => !level.has(dependency))
      if (pending.length === 0) {
        level.set(state, Math.max(-1, ...dependencies(state).map((d) => level.get(d) as number)) + 1)
        visiting.delete(state)
        stack.pop()
        continue
      }
      if (visiting.has(state) || pending.some((dependency) => visiting.has(dependency))) {
        throw new InvalidRequestError(
          `New rows of "${table.name}" refer to each other in a cycle, and each needs the key the other's INSERT generates: ` +
            "declare the many-to-one that closes it with postUpdate: true (its key is then set by an UPDATE once both rows exist), or give the rows their keys",
        )
      }
      visiting.add(state)
      stack.push(...pending)
    }
  }
  const levels: InstanceState[][] = []
  for (const state of states) {
    const at = level.get(state) as number
    const same = levels[at]
    if (same) same.push(state)
    else levels[at] = [state]
  }
  return levels
}

function givesKey(state: InstanceState, key: Column<unknown>): boolean {
  const value = state.values[key.key]
  return value !== undefined && value !== null && !(value instanceof KeyRef)
}

/** The rows of a table with generated keys that give their own, in key order. */
function givenKeySteps(table: Table, states: InstanceState[]): InsertStep[] {
  if (states.length === 0) return []
  const rows = states.map((state) => ({ state, values: insertValues(state) }))
  return statementsOf(
    table,
    undefined,
    sortByKey(rows, rowKeyIn(table.primaryKey.map((column) => column.key))),
  )
}

/** Rows to insert as steps: one statement carries at most MAX_PARAMETERS values (PostgreSQL's limit is 65,535, SQLite's 32,766). */
function statementsOf(
  table: Table,
  generatedKey: Column<unknown> | undefined,
  rows: InsertRow[],
): InsertStep[] {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, table.columns.length)))
  const steps: InsertStep[] = []
  for (let start = 0; start < rows.length; start += perStatement) {
    steps.push({ kind: "insert", table, generatedKey, rows: rows.slice(start, start + perStatement) })
  }
  return steps
}

/** One upsert per set of unique columns, for the rows added with `addUnique`. */
function uniqueSteps(
  table: Table,
  generatedKey: Column<unknown> | undefined,
  states: InstanceState[],
): InsertStep[] {
  const byKeys = new Map<string, InstanceState[]>()
  const all = new Set(states)
  for (const state of states) {
    if (!state.uniqueBy) continue
    if (dependsOnAny(state, all)) {
      throw new InvalidRequestError(
        `${state.mapper.name} was added with addUnique but refers to a new row of its own table; flush that row first`,
      )
    }
    const key = state.uniqueBy.join(",")
    byKeys.set(key, [...(byKeys.get(key) ?? []), state])
  }
  return [...byKeys.values()].map((group) => {
    const conflictKeys = (group[0] as InstanceState).uniqueBy as readonly string[]
    // The upsert locks existing rows (and waits on others' new ones) in the order it lists them.
    const rows = group.map((state) => ({ state, values: insertValues(state) }))
    return {
      kind: "insert",
      table,
      generatedKey,
      rows: sortByKey(rows, rowKeyIn(conflictKeys)),
      conflictKeys,
    }
  })
}

function dependsOnAny(state: InstanceState, others: Set<InstanceState>): boolean {
  return Object.values(state.values).some(
    (value) => value instanceof KeyRef && value.state !== state && others.has(value.state),
  )
}

/** The row to insert: the object's values, with client-side defaults filled in (on the object too). */
function insertValues(state: InstanceState): Map<string, unknown> {
  const values = new Map<string, unknown>()
  for (const column of state.mapper.table.columns) {
    const fallback = column.spec?.options.default
    if (state.values[column.key] === undefined && fallback !== undefined) {
      state.values[column.key] = clientDefault(fallback)
    }
    if (state.values[column.key] !== undefined) values.set(column.key, state.values[column.key])
  }
  return values
}
