// SQLite flush rendering: a whole flush in one request (a libSQL batch, which runs under BEGIN
// IMMEDIATE: no other writer can run in between). Generated keys are assigned by the statements
// themselves, `max(key) + n` (past sqlite_sequence's number too, for a table with AUTOINCREMENT, whose
// deleted last ids are not given again), through INSERT ... SELECT (SQLite reads the SELECT before inserting, so
// `max` is the value before the statement). A later statement then finds the key of the r-th row
// inserted into a table as `(SELECT max(key) FROM t) - (rows inserted into t since then)`. An UPDATE or
// DELETE of a mapped row is followed by a check of `changes()` that fails the batch when it is not 1;
// the check carries a marker comment, by which the session recognises a stale row.
import { InvalidRequestError } from "../../errors.ts"
import type { Dialect } from "../../sql/compiler/dialect.ts"
import { RawSql } from "../../sql/expression.ts"
import { insert } from "../../sql/insert.ts"
import type { Column } from "../../sql/schema/column.ts"
import type { Table } from "../../sql/schema/table.ts"
import { TextStatement } from "../../sql/text.ts"
import { installCapacityChecks } from "../../sql/value-checks.ts"
import { type InsertStep, KeyRef, type Step, type WriteStep } from "./plan.ts"
import {
  applyMatching,
  applyRow,
  coreValues,
  type FlushRenderer,
  type RenderedStatement,
  readBack,
  rowTypes,
  STALE_MARKER,
  uniqueKeySql,
  updatedRow,
  writeStatement,
} from "./render.ts"
import { Unreadable } from "./returned.ts"

export const sqliteFlushRenderer: FlushRenderer = {
  render(steps: readonly Step[], sqlite: Dialect): RenderedStatement[] {
    /** Rows inserted so far per table, and each inserted object's ordinal (1-based) in its table. */
    const insertedSoFar = new Map<Table, number>()
    const ordinals = new Map<KeyRef["state"], { table: Table; ordinal: number }>()
    const keyPlace = (ref: KeyRef): KeyPlace | undefined => {
      if (ref.state.uniqueBy) return undefined
      const found = ordinals.get(ref.state)
      if (!found)
        throw new InvalidRequestError(`${ref.state.mapper.name} is linked to but not part of the flush`)
      const key = ref.state.mapper.primaryKey[0]
      const q = sqlite.createCompiler({})
      const behind = (insertedSoFar.get(found.table) ?? 0) - found.ordinal
      return {
        latest: `(SELECT max(${q.quote(key?.name ?? "rowid")}) FROM ${q.quote(found.table.name)})`,
        behind,
      }
    }
    const keyRef = (ref: KeyRef) => {
      const place = keyPlace(ref)
      return place ? `(${place.latest} - ${place.behind})` : uniqueKeySql(ref.state, sqlite)
    }
    const rendered: RenderedStatement[] = []
    for (const step of steps) {
      if (step.kind !== "insert") {
        rendered.push(...renderWrite(step, keyRef, sqlite))
        continue
      }
      // Rows that may exist are found by their unique values; they go before the table's other new
      // rows, so those rows' `max(key)` positions still hold.
      if (step.conflictKeys) {
        for (const run of sameColumnRuns(step)) rendered.push(uniqueInsert(run, keyRef, sqlite))
        continue
      }
      for (const run of sameColumnRuns(step)) {
        const statement = renderInsert(run, keyPlace, keyRef, sqlite)
        const before = insertedSoFar.get(run.table) ?? 0
        run.rows.forEach((row, i) => {
          if (row.state) ordinals.set(row.state, { table: run.table, ordinal: before + i + 1 })
        })
        insertedSoFar.set(run.table, before + run.rows.length)
        rendered.push(statement)
      }
    }
    return rendered
  },
}

/**
 * The step's rows in consecutive runs that give the same columns: SQLite has no DEFAULT in a VALUES
 * list, so rows that leave a column to its default go in an INSERT of their own. Order is kept, so a
 * row is still inserted after the rows whose keys it uses.
 */
function sameColumnRuns(step: InsertStep): InsertStep[] {
  const runs: InsertStep[] = []
  let shape = ""
  for (const row of step.rows) {
    const rowShape = [...row.values.keys()].sort().join(",")
    const last = runs[runs.length - 1]
    if (last && rowShape === shape) last.rows.push(row)
    else runs.push({ ...step, rows: [row] })
    shape = rowShape
  }
  return runs
}

/** Where a new row's key is found: `latest` (the table's largest key) less `behind`. */
interface KeyPlace {
  readonly latest: string
  readonly behind: number
}

function renderInsert(
  step: InsertStep,
  keyPlace: (ref: KeyRef) => KeyPlace | undefined,
  keyRef: (ref: KeyRef) => string,
  sqlite: Dialect,
): RenderedStatement {
  // Rows written as text here, not through insert(): their values' capacity is checked all the same.
  installCapacityChecks()
  const { table, generatedKey } = step
  const q = sqlite.createCompiler({})
  const given = table.columns.filter(
    (col) => col !== generatedKey && step.rows.some((row) => row.values.has(col.key)),
  )
  if (generatedKey && step.rows.some((row) => row.values.has(generatedKey.key))) {
    // Only a row that gives its key and refers to a new row of its own table gets here (./plan.ts):
    // after that row, its key would move the `max(key)` later rows' keys are found by.
    throw new InvalidRequestError(
      `A new ${table.name} row gives its own key and refers to a new row of the same table whose key SQLite generates in the same flush; flush that row first`,
    )
  }
  // A column whose new keys all come from one table's largest key carries each row's distance from it
  // in a VALUES column of its own, subtracted once in the SELECT: a subquery in each row's VALUES made
  // SQLite plan the list as a compound SELECT, whose cost grew with the square of the rows (10,000
  // children of a new parent took 1.4 s to insert; a column of numbers takes 5 ms).
  const latestOf = given.map((col) => {
    const places = new Set<string | undefined>()
    for (const row of step.rows) {
      const value = row.values.get(col.key)
      if (value instanceof KeyRef) places.add(keyPlace(value)?.latest)
    }
    const [latest] = places
    return places.size === 1 ? latest : undefined
  })
  const params: unknown[] = []
  const tuples = step.rows.map((row, i) => {
    const cells = given.flatMap((col, c) => {
      const value = row.values.get(col.key)
      const split = latestOf[c] !== undefined
      if (value instanceof KeyRef) {
        return split ? ["NULL", `${(keyPlace(value) as KeyPlace).behind}`] : [keyRef(value)]
      }
      params.push(value === null || value === undefined ? null : sqlite.encode(value, col.type, col))
      return split ? ["?", "NULL"] : ["?"]
    })
    return `(${[`${i + 1}`, ...cells].join(", ")})`
  })
  const names = [...(generatedKey ? [generatedKey] : []), ...given].map((col) => q.quote(col.name))
  let position = 1
  const selected = [
    ...(generatedKey ? [`${largestKey(table, generatedKey, q)} + column1`] : []),
    ...latestOf.map((latest) => {
      position += latest === undefined ? 1 : 2
      return latest === undefined
        ? `column${position}`
        : `coalesce(column${position - 1}, ${latest} - column${position})`
    }),
  ]
  // WHERE true: an upsert after a SELECT needs a WHERE, or SQLite could read its ON as a join's.
  const upsert = step.ignoreExisting
    ? " WHERE true ORDER BY column1 ON CONFLICT DO NOTHING"
    : " ORDER BY column1"
  const columns = readBack(
    table,
    step.rows.map((row) => row.values),
    sqlite,
  )
  // By name, never `*`: the table's order is not the model's once a migration has appended a column.
  const returning = columns
    .map((col) => (col instanceof RawSql ? col.sql : q.quote((col as Column<unknown>).name)))
    .join(", ")
  const sql = `INSERT INTO ${q.quote(table.name)} (${names.join(", ")}) SELECT ${selected.join(", ")} FROM (VALUES ${tuples.join(", ")})${upsert} RETURNING ${returning}`
  return {
    statement: new TextStatement(sql, rowTypes(table, 0, columns), params),
    apply: (returned) => {
      const keyIndex = generatedKey ? columns.indexOf(generatedKey) : -1
      // Rows are told apart by their keys: one that could not be read (./returned.ts) leaves the order
      // unknown, and no object is given a row that may be another's.
      if (keyIndex !== -1 && returned.some((row) => row[keyIndex] instanceof Unreadable)) return
      // Given by order: with a row missing (a trigger's RAISE(IGNORE) skipped it), each after it would go
      // to the object before; none is given, and the session says so (./returned.ts).
      if (returned.length !== step.rows.length) return
      const ordered =
        keyIndex === -1
          ? [...returned]
          : [...returned].sort((a, b) => Number(a[keyIndex]) - Number(b[keyIndex]))
      for (const [i, row] of ordered.entries())
        applyRow(step.rows[i]?.state, table, row, 0, columns, step.rows[i]?.values)
    },
  }
}

/**
 * The largest key the table has given: `max(key)`, and for a table declared `sqliteAutoincrement` also
 * the number SQLite keeps in sqlite_sequence, which stays when the last rows are deleted (their ids are
 * not to be given again; its row is written by SQLite as these rows go in).
 */
function largestKey(table: Table, key: Column<unknown>, q: ReturnType<Dialect["createCompiler"]>): string {
  const largest = `coalesce(max(${q.quote(key.name)}), 0)`
  const sequence = `(SELECT seq FROM sqlite_sequence WHERE name = '${table.name.replaceAll("'", "''")}')`
  const given =
    table.options.sqliteAutoincrement === true ? `max(${largest}, coalesce(${sequence}, 0))` : largest
  return `(SELECT ${given} FROM ${q.quote(table.name)})`
}

function renderWrite(step: WriteStep, keyRef: (ref: KeyRef) => string, sqlite: Dialect): RenderedStatement[] {
  const { table } = step
  const returning = step.kind === "update" || step.removes !== undefined
  const written = step.kind === "update" ? updatedRow(step) : undefined
  // Rows whose held objects follow them come back as their keys alone: a level of thousands of
  // documents, returned whole, could make the answer larger than a request may carry.
  const columns = step.removes
    ? table.primaryKey
    : written
      ? readBack(table, [written], sqlite)
      : table.columns
  const compiled = writeStatement(step, keyRef, step.removes !== undefined, true, columns).compile(sqlite)
  const write: RenderedStatement = {
    statement: new TextStatement(compiled.sql, returning ? rowTypes(table, 0, columns) : [], compiled.params),
    apply: (returned) => {
      if (step.kind === "update" && returned[0]) applyRow(step.state, table, returned[0], 0, columns, written)
      step.removes?.(returned)
    },
  }
  if (!step.mustMatchOne) return [write]
  // abs() of the smallest integer overflows: the way to fail a plain SELECT on demand in SQLite. The
  // `0 * changes()` keeps it from being a constant SQLite could evaluate before the CASE decides.
  const check = new TextStatement(
    `SELECT CASE WHEN changes() = 1 THEN 1 ELSE abs(-9223372036854775807 - 1 + 0 * changes()) END /* ${STALE_MARKER}: ${table.name.replaceAll("*/", "")} */`,
  )
  return [write, { statement: check, apply: () => {} }]
}

/**
 * The upsert of rows added with `addUnique`: a conflict on their unique columns makes a no-op update,
 * so RETURNING gives the existing row, whose values (its key above all) the object takes. (SQLite has
 * no row locks to worry about; PostgreSQL does it in two statements, see ./postgres.ts.)
 */
function uniqueInsert(step: InsertStep, keyRef: (ref: KeyRef) => string, sqlite: Dialect): RenderedStatement {
  const { table } = step
  const keys = step.conflictKeys ?? []
  const [first] = keys as [string]
  const compiled = insert(table)
    .values(step.rows.map((row) => coreValues(row.values, keyRef, table)) as never)
    .onConflictDoUpdate({ target: keys as never, set: (excluded) => ({ [first]: excluded[first] }) as never })
    .returning(table)
    .compile(sqlite)
  return {
    statement: new TextStatement(compiled.sql, rowTypes(table, 0), compiled.params),
    apply: (returned) =>
      applyMatching(
        step,
        returned,
        keys.map((key) => table.requireColumn(key)),
      ),
  }
}
