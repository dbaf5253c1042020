// PostgreSQL flush rendering: a whole flush in one request. Rows are inserted one statement per table
// (and level); when a later statement needs the keys the database generated, the INSERT runs in a CTE
// that also stores them for the transaction with `set_config('edgealchemy.kN', '{1,2,3}', true)`, and
// the later statement reads `(current_setting('edgealchemy.kN')::bigint[])[i]`. Identity values are
// drawn in VALUES order, so ordering the returned rows by key gives the rows in the order sent. An UPDATE
// or DELETE of a mapped row must match exactly one row: otherwise a cast of a marked message to integer
// fails the statement, and with it the whole request.
import { postgresql } from "../../dialects/postgresql/dialect.ts"
import { InvalidRequestError } from "../../errors.ts"
import { insert } from "../../sql/insert.ts"
import { TextStatement } from "../../sql/text.ts"
import type { InsertStep, KeyRef, Step, WriteStep } from "./plan.ts"
import {
  applyMatching,
  applyRow,
  coreValues,
  type FlushRenderer,
  insertPositions,
  type RenderedStatement,
  rowTypes,
  STALE_MARKER,
  uniqueInsert,
  uniqueKeySql,
  writeStatement,
} from "./render.ts"

export const postgresFlushRenderer: FlushRenderer = {
  render(steps: readonly Step[]): RenderedStatement[] {
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
        step.kind !== "insert"
          ? renderWrite(step, keyRef)
          : step.conflictKeys
            ? uniqueInsert(step, keyRef, postgresql)
            : renderInsert(step, index, referenced.has(index), keyRef),
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
): RenderedStatement {
  const { table, generatedKey } = step
  const rows = step.rows.map((row) => coreValues(row.values, keyRef, table))
  const compiled = insert(table)
    .values(rows as never)
    .returning(table)
    .compile(postgresql)
  if (!generatedKey) {
    return {
      statement: new TextStatement(compiled.sql, rowTypes(table, 0), compiled.params),
      apply: (returned) => applyMatching(step, returned, step.table.primaryKey),
    }
  }
  const key = `ins.${postgresql.createCompiler({}).quote(generatedKey.name)}`
  const keys = storeKeys
    ? `set_config('edgealchemy.k${index}', (SELECT array_agg(${key} ORDER BY ${key}) FROM ins)::text, true), `
    : ""
  const sql = `WITH ins AS (${compiled.sql}) SELECT ${keys}ins.* FROM ins ORDER BY ${key}`
  const skip = storeKeys ? 1 : 0
  return {
    statement: new TextStatement(sql, rowTypes(table, skip), compiled.params),
    apply: (returned) => {
      for (const [i, row] of returned.entries()) applyRow(step.rows[i]?.state, table, row, skip)
    },
  }
}

function renderWrite(step: WriteStep, keyRef: (ref: KeyRef) => string): RenderedStatement {
  const { table } = step
  const compiled = writeStatement(step, keyRef, true).compile(postgresql)
  if (!step.mustMatchOne) {
    return {
      statement: new TextStatement(compiled.sql, rowTypes(table, 0), compiled.params),
      apply: (returned) => {
        if (step.kind === "update" && returned[0]) applyRow(step.state, table, returned[0], 0)
      },
    }
  }
  const stale = `'${STALE_MARKER}: ' || count(*) || ' rows of ${table.name.replaceAll("'", "''")} matched instead of 1'`
  const sql =
    `WITH w AS (${compiled.sql}) SELECT (SELECT CASE WHEN count(*) = 1 THEN '' ELSE (${stale})::integer::text END FROM w), w.* ` +
    "FROM (SELECT 1) AS one LEFT JOIN w ON true"
  return {
    statement: new TextStatement(sql, rowTypes(table, 1), compiled.params),
    apply: (returned) => {
      if (step.kind === "update" && returned[0]) applyRow(step.state, table, returned[0], 1)
    },
  }
}
