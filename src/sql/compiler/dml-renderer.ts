// INSERT, UPDATE and DELETE, rendered through a dialect's compiler. This lives apart from the statement
// compiler, reached only from the DML statements (`renderWith`), so that a bundle that only reads
// carries none of it.
import { InvalidRequestError } from "../../errors.ts"
import type { Delete } from "../delete.ts"
import { requireRestricted } from "../dml-where.ts"
import { Expression, literalColumn, type SubqueryTarget } from "../expression.ts"
import type { FromClause } from "../from.ts"
import type { Insert, OnConflict } from "../insert.ts"
import type { Column, ColumnParent } from "../schema/column.ts"
import { isGeneratedKey, type Table, withClientDefaults } from "../schema/table.ts"
import { select } from "../select.ts"
import type { SelectItem } from "../select-items.ts"
import { exists } from "../subquery.ts"
import { columnParents } from "../traverse.ts"
import type { Update } from "../update.ts"
import type { Compiler } from "./compiler.ts"

export function renderInsert(compiler: Compiler, insert: Insert<never>): string {
  const { table, rows, fromSelect, onConflict, returning } = insert.state
  const target = `INSERT INTO ${compiler.quote(table.name)}`
  let body: string
  if (fromSelect) {
    body = fromSelectBody(compiler, table, fromSelect.columns, fromSelect.select)
  } else {
    body = insertValues(compiler, table, rows.length === 0 ? [{}] : rows)
  }
  const conflict = onConflict ? ` ${onConflictClause(compiler, table, onConflict)}` : ""
  return `${target} ${body}${conflict}${returningClause(compiler, returning)}`
}

/**
 * `(columns) SELECT ...`, with the client-side defaults of the columns the SELECT leaves out beside its
 * rows, computed once for the statement (SQLAlchemy's `from_select(include_defaults=True)`).
 */
function fromSelectBody(
  compiler: Compiler,
  table: Table,
  keys: readonly string[],
  select: SubqueryTarget,
): string {
  const given = Object.fromEntries(keys.map((key) => [key, true]))
  const defaults = Object.entries(withClientDefaults(table, given, "default")).filter(
    ([key]) => !(key in given),
  )
  const columns = [...keys, ...defaults.map(([key]) => key)].map((key) =>
    compiler.quote(table.requireColumn(key).name),
  )
  const rows = compiler.nestedSelect(select)
  const withDefaults = defaults.map(([key, value]) => columnValue(compiler, table.requireColumn(key), value))
  const selected =
    defaults.length > 0 ? `SELECT _src.*, ${withDefaults.join(", ")} FROM (${rows}) AS _src` : rows
  return `(${columns.join(", ")}) ${selected}`
}

/**
 * UPDATE, with a FROM of the other tables its WHERE and values name, as SQLAlchemy's multiple-table
 * UPDATE (`UPDATE users SET ... FROM addresses WHERE users.id = addresses.user_id`; SQLite 3.33 and
 * later, which libSQL is, takes it too).
 */
export function renderUpdate(compiler: Compiler, update: Update<never>): string {
  const { table, values, where, returning } = update.state
  requireRestricted(update.state)
  if (Object.keys(values).length === 0) {
    throw new InvalidRequestError(`UPDATE of "${table.name}" has no values; call .values({...})`)
  }
  const changes = withClientDefaults(table, values, "onUpdate")
  const others = otherTables(table, [...where, ...Object.values(changes)])
  return compiler.correlatedTo([table, ...others], () => {
    const assignments = assignmentList(compiler, table, changes)
    const from =
      others.length > 0 ? ` FROM ${others.map((o) => compiler.from(o as FromClause)).join(", ")}` : ""
    const conditions = where.length > 0 ? ` WHERE ${compiler.conditions(where)}` : ""
    return `UPDATE ${compiler.quote(table.name)} SET ${assignments}${from}${conditions}${returningClause(compiler, returning, others)}`
  })
}

/**
 * DELETE. A WHERE that names other tables deletes the rows for which such rows exist: it moves into
 * `EXISTS (SELECT 1 FROM others WHERE ...)`, correlated to the row, which both databases take
 * (PostgreSQL's DELETE ... USING means the same; SQLite has none).
 */
export function renderDelete(compiler: Compiler, statement: Delete<never>): string {
  const { table, where, returning } = statement.state
  requireRestricted(statement.state)
  const others = otherTables(table, where)
  const correlated = () =>
    select(literalColumn("1"))
      .selectFrom(...(others as FromClause[]))
      .where(...(where as Expression<boolean>[]))
  const criteria = others.length > 0 ? [exists(correlated())] : where
  return compiler.correlatedTo([table], () => {
    const conditions = criteria.length > 0 ? ` WHERE ${compiler.conditions(criteria)}` : ""
    return `DELETE FROM ${compiler.quote(table.name)}${conditions}${returningClause(compiler, returning)}`
  })
}

/**
 * The FROM items (tables, aliases, subqueries, CTEs) other than `table` whose columns the expressions
 * among `values` name, not inside subqueries; ON CONFLICT's `excluded` is none.
 */
function otherTables(table: Table, values: readonly unknown[]): ColumnParent[] {
  const expressions = values.filter((value): value is Expression<unknown> => value instanceof Expression)
  return columnParents(expressions).filter((parent) => parent !== table && parent.kind !== "excluded")
}

/** `(cols) VALUES (...), (...)` with client-side defaults applied for the columns rows leave out. */
function insertValues(
  compiler: Compiler,
  table: Table,
  rows: readonly Readonly<Record<string, unknown>>[],
): string {
  const withDefaults = rows.map((row) => withClientDefaults(table, row, "default"))
  const columns = table.columns.filter((col) => withDefaults.some((row) => col.key in row))
  if (columns.length === 0) {
    if (rows.length === 1) return "DEFAULT VALUES"
    // Several rows of only defaults: one column named, left to its default in each row.
    const named = table.columns.find((col) => isGeneratedKey(col)) ?? table.columns[0]
    if (!named) throw new InvalidRequestError(`Table "${table.name}" has no columns to insert`)
    const tuples = rows.map(() => `(${missingValue(compiler, named)})`)
    return `(${compiler.quote(named.name)}) VALUES ${tuples.join(", ")}`
  }
  const tuples = withDefaults.map(
    (row) =>
      `(${columns.map((col) => (col.key in row ? columnValue(compiler, col, row[col.key]) : missingValue(compiler, col))).join(", ")})`,
  )
  return `(${columns.map((col) => compiler.quote(col.name)).join(", ")}) VALUES ${tuples.join(", ")}`
}

/**
 * The value of a column a multi-row INSERT leaves out in some rows: DEFAULT, or where VALUES takes no
 * DEFAULT (SQLite) NULL for a generated key (the database assigns it) or a column with no server default.
 */
function missingValue(compiler: Compiler, column: Column<unknown>): string {
  // Asked here rather than of the compiler: a method there would be carried by workers that never insert.
  if (compiler.dialect.name !== "sqlite") return "DEFAULT"
  if (isGeneratedKey(column) || column.spec?.options.serverDefault === undefined) return "NULL"
  throw new InvalidRequestError(
    `No DEFAULT in a multi-row INSERT on ${compiler.dialect.name}: give "${column.name}" in every row or in none`,
  )
}

function onConflictClause(compiler: Compiler, table: Table, conflict: OnConflict): string {
  const target = conflict.target.length
    ? ` (${conflict.target.map((key) => compiler.quote(table.requireColumn(key).name)).join(", ")})`
    : ""
  if (!conflict.set) return `ON CONFLICT${target} DO NOTHING`
  const where = conflict.where ? ` WHERE ${compiler.expression(conflict.where)}` : ""
  return `ON CONFLICT${target} DO UPDATE SET ${assignmentList(compiler, table, conflict.set)}${where}`
}

function assignmentList(compiler: Compiler, table: Table, values: Readonly<Record<string, unknown>>): string {
  return Object.entries(values)
    .map(([key, value]) => {
      const column = table.requireColumn(key)
      return `${compiler.quote(column.name)} = ${columnValue(compiler, column, value)}`
    })
    .join(", ")
}

/**
 * RETURNING with unqualified columns, which both dialects accept; beside an UPDATE's FROM, qualified on
 * PostgreSQL, where a name both tables have would be ambiguous (SQLite's RETURNING reads only the
 * updated table).
 */
function returningClause(
  compiler: Compiler,
  items: readonly SelectItem[],
  others: readonly ColumnParent[] = [],
): string {
  if (items.length === 0) return ""
  const render = () => ` RETURNING ${compiler.selectList(items)}`
  return others.length > 0 && compiler.dialect.name === "postgresql" ? render() : compiler.unqualified(render)
}

/**
 * A value written to `column` (INSERT, UPDATE SET): also checked against what the column holds. Here,
 * not on the compiler, so that a bundle that only reads carries none of it.
 */
function columnValue(compiler: Compiler, column: Column<unknown>, value: unknown): string {
  if (!(value instanceof Expression)) return compiler.value({ value, type: column.type, column })
  const sql = compiler.expression(value)
  const { kind, options } = column.type
  if (compiler.dialect.name !== "sqlite" || kind !== "numeric" || options.precision === undefined) return sql
  // PostgreSQL rounds what an expression computes to a NUMERIC(p, s)'s scale as it stores it; SQLite
  // computes in doubles and kept their error: price * 1.1 stored 11.000000000000002, which reads
  // "11.00" but is not the 11.00 a comparison binds, nor what sum() adds. A REAL is rounded to the
  // scale (an integer is exact, and text is left as it is).
  return `CASE typeof(${sql}) WHEN 'real' THEN round(${sql}, ${options.scale ?? 0}) ELSE ${sql} END`
}
