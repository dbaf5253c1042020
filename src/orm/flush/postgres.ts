// PostgreSQL flush rendering: a whole flush in one request. Rows are inserted one statement per table
// (and level); when a later statement needs the keys the database generated, the INSERT runs in a CTE
// that also stores them for the transaction with `set_config('edgealchemy.kN', '{1,2,3}', true)`, and
// the later statement reads `(current_setting('edgealchemy.kN')::bigint[])[i]`. Identity values are
// drawn in VALUES order, so ordering the returned rows by key gives the rows in the order sent. An UPDATE
// or DELETE of a mapped row must match exactly one row: otherwise a cast of a marked message to integer
// fails the statement, and with it the whole request.
//
// Rows added with `addUnique` are inserted with ON CONFLICT DO NOTHING and then read back FOR KEY SHARE,
// rather than upserted with DO UPDATE: a DO UPDATE of a unique column takes a FOR UPDATE lock on the
// existing row, which blocks every other transaction's foreign-key check on that row (FOR KEY SHARE)
// until commit, and deadlocks with one that links the same rows in another order. KEY SHARE locks
// do not block each other; the second statement sees rows committed while the INSERT waited (READ
// COMMITTED takes a snapshot per statement), and fails the request if one vanished in between.
import { InvalidRequestError } from "../../errors.ts"
import type { Dialect } from "../../sql/compiler/dialect.ts"
import { and, or } from "../../sql/expression.ts"
import { insert } from "../../sql/insert.ts"
import { select } from "../../sql/select.ts"
import { TextStatement } from "../../sql/text.ts"
import type { InsertStep, KeyRef, Step, WriteStep } from "./plan.ts"
import {
  applyMatching,
  applyRow,
  coreValues,
  type FlushRenderer,
  insertPositions,
  type RenderedStatement,
  readBack,
  rowTypes,
  STALE_MARKER,
  uniqueKeySql,
  updatedRow,
  writeStatement,
} from "./render.ts"

export const postgresFlushRenderer: FlushRenderer = {
  render(steps: readonly Step[], postgresql: Dialect): RenderedStatement[] {
    const positions = insertPositions(steps)
    const referenced = new Set<number>()
    const keyRef = (ref: KeyRef) => {
      if (ref.state.uniqueBy) return uniqueKeySql(ref.state, postgresql)
      const position = positions.get(ref.state)
      if (!position)
        throw new InvalidRequestError(`${ref.state.mapper.name} is linked to but not part of the flush`)
      referenced.add(position.step)
      return `(current_setting('edgealchemy.k${position.step}')::bigint[])[${position.row}]`
    }
    // Render from the last step back, so a step knows whether a later one reads its keys.
    const rendered: RenderedStatement[] = []
    for (let index = steps.length - 1; index >= 0; index--) {
      const step = steps[index] as Step
      rendered.unshift(
        ...(step.kind !== "insert"
          ? [renderWrite(step, keyRef, postgresql)]
          : step.conflictKeys
            ? renderUniqueInsert(step, step.conflictKeys, keyRef, postgresql)
            : [renderInsert(step, index, referenced.has(index), keyRef, postgresql)]),
      )
    }
    return rendered
  },
}

function renderInsert(
  step: InsertStep,
  index: number,
  storeKeys: boolean,
  keyRef: (ref: KeyRef) => string,
  postgresql: Dialect,
): RenderedStatement {
  const { table, generatedKey } = step
  const rows = step.rows.map((row) => coreValues(row.values, keyRef, table))
  const inserted = insert(table).values(rows as never)
  const columns = readBack(
    table,
    step.rows.map((row) => row.values),
    postgresql,
  )
  const compiled = (step.ignoreExisting ? inserted.onConflictDoNothing() : inserted)
    .returning(...columns)
    .compile(postgresql)
  if (!generatedKey) {
    return {
      statement: new TextStatement(compiled.sql, rowTypes(table, 0, columns), compiled.params),
      apply: (returned) => applyMatching(step, returned, step.table.primaryKey, columns),
    }
  }
  const key = `ins.${postgresql.createCompiler({}).quote(generatedKey.name)}`
  const keys = storeKeys
    ? `set_config('edgealchemy.k${index}', (SELECT array_agg(${key} ORDER BY ${key}) FROM ins)::text, true), `
    : ""
  const sql = `WITH ins AS (${compiled.sql}) SELECT ${keys}ins.* FROM ins ORDER BY ${key}`
  const skip = storeKeys ? 1 : 0
  return {
    statement: new TextStatement(sql, rowTypes(table, skip, columns), compiled.params),
    apply: (returned) => {
      // Rows are given by order: with one missing (a trigger skipped its INSERT), each after it would go
      // to the object before; none is given, and the session says so (./returned.ts).
      if (returned.length !== step.rows.length) return
      for (const [i, row] of returned.entries())
        applyRow(step.rows[i]?.state, table, row, skip, columns, step.rows[i]?.values)
    },
  }
}

/**
 * Rows that may exist: inserted unless their unique values are taken, then every one of them read back
 * (its key above all) with a KEY SHARE lock that keeps it from being deleted before the commit.
 */
function renderUniqueInsert(
  step: InsertStep,
  keys: readonly string[],
  keyRef: (ref: KeyRef) => string,
  postgresql: Dialect,
): RenderedStatement[] {
  const { table } = step
  const inserted = insert(table)
    .values(step.rows.map((row) => coreValues(row.values, keyRef, table)) as never)
    .onConflictDoNothing({ target: keys as never })
    .compile(postgresql)
  const columns = keys.map((key) => table.requireColumn(key))
  const sameRow = (row: InsertStep["rows"][number]) =>
    and(...columns.map((column) => column.eq(coreValues(row.values, keyRef, table)[column.key] as never)))
  const read = select(table)
    .where(or(...step.rows.map(sameRow)))
    .orderBy(...columns)
    .compile(postgresql)
  // count(*) in the message keeps the cast from being folded (and failing) before the CASE decides.
  const stale = `'${STALE_MARKER}: ' || count(*) || ' of ${step.rows.length} ${table.name.replaceAll("'", "''")} rows found: one vanished while being linked'`
  const sql =
    `WITH found AS (${read.sql} FOR KEY SHARE) ` +
    `SELECT (SELECT CASE WHEN count(*) = ${step.rows.length} THEN '' ELSE (${stale})::integer::text END FROM found), found.* ` +
    "FROM (SELECT 1) AS one LEFT JOIN found ON true"
  return [
    { statement: new TextStatement(inserted.sql, [], inserted.params), apply: () => {} },
    {
      statement: new TextStatement(sql, rowTypes(table, 1), read.params),
      apply: (returned) =>
        applyMatching(
          step,
          returned.map((row) => row.slice(1)),
          columns,
        ),
    },
  ]
}

function renderWrite(
  step: WriteStep,
  keyRef: (ref: KeyRef) => string,
  postgresql: Dialect,
): RenderedStatement {
  const { table } = step
  const written = step.kind === "update" ? updatedRow(step) : undefined
  // Rows whose held objects follow them come back as their keys alone: a level of thousands of
  // documents, returned whole, could make the answer larger than a request may carry.
  const columns = step.removes
    ? table.primaryKey
    : written
      ? readBack(table, [written], postgresql)
      : table.columns
  // A bulk DELETE whose rows nothing reads (no row check, no objects to follow) returns none, as on
  // SQLite: returned whole, a parent's unloaded children could make the answer larger than one may be.
  const returning = step.kind === "update" || step.mustMatchOne || step.removes !== undefined
  const compiled = writeStatement(step, keyRef, returning, false, columns).compile(postgresql)
  if (!step.mustMatchOne) {
    return {
      statement: new TextStatement(
        compiled.sql,
        returning ? rowTypes(table, 0, columns) : [],
        compiled.params,
      ),
      apply: (returned) => {
        if (step.kind === "update" && returned[0])
          applyRow(step.state, table, returned[0], 0, columns, written)
        step.removes?.(returned)
      },
    }
  }
  const stale = `'${STALE_MARKER}: ' || count(*) || ' rows of ${table.name.replaceAll("'", "''")} matched instead of 1'`
  const sql =
    `WITH w AS (${compiled.sql}) SELECT (SELECT CASE WHEN count(*) = 1 THEN '' ELSE (${stale})::integer::text END FROM w), w.* ` +
    "FROM (SELECT 1) AS one LEFT JOIN w ON true"
  return {
    statement: new TextStatement(sql, rowTypes(table, 1, columns), compiled.params),
    apply: (returned) => {
      if (step.kind === "update" && returned[0]) applyRow(step.state, table, returned[0], 1, columns, written)
    },
  }
}
