// The statement half of the base compiler: SELECT (with FROM inference, joins, correlation and CTEs),
// set operations, INSERT/UPDATE/DELETE and DDL. Dialect compilers override only what differs.
import { InvalidRequestError } from "../../errors.ts"
import type { CompoundSelect } from "../compound.ts"
import type { Delete } from "../delete.ts"
import { asExpression, Expression, type SubqueryTarget } from "../expression.ts"
import type { Alias, Cte, FromClause, Join } from "../from.ts"
import type { Insert, OnConflict } from "../insert.ts"
import type { Column, ColumnParent } from "../schema/column.ts"
import { type ColumnSpecs, type Table, withClientDefaults } from "../schema/table.ts"
import type { Select } from "../select.ts"
import { ENTITY, isEntity, type SelectItem } from "../select-items.ts"
import type { Statement } from "../statement.ts"
import { columnParents } from "../traverse.ts"
import { Integer } from "../types.ts"
import type { Update } from "../update.ts"
import type { Compiled } from "./dialect.ts"
import { ExpressionCompiler, type Template } from "./expression-compiler.ts"

/** Statements that render themselves through a compiler (DDL), so the compiler need not carry them. */
interface SelfRendering {
  renderWith(compiler: Compiler): string
}

export class Compiler extends ExpressionCompiler {
  /** FROM items of the selects being compiled, innermost last: what a subquery may correlate to. */
  readonly #enclosingFroms: Set<ColumnParent>[] = []
  /** CTEs in the order their definitions must appear (dependencies first). */
  readonly #cteOrder: { cte: Cte; sql: string }[] = []
  readonly #ctesInProgress = new Set<string>()

  compile(statement: Statement): Compiled {
    return this.bound(this.template(statement))
  }

  /** The statement's SQL and where its parameters come from, to bind now or again later. */
  template(statement: Statement): Template {
    const body = this.#statement(statement)
    if (this.#cteOrder.length === 0) return this.finish(body)
    const recursive = this.#cteOrder.some(({ cte }) => cte.recursive) ? "RECURSIVE " : ""
    const definitions = this.#cteOrder.map(({ cte, sql }) => {
      const names = cte.namesColumns ? `(${cte.columns.map((c) => this.quote(c.name)).join(", ")})` : ""
      return `${this.quote(cte.name)}${names} AS (${sql})`
    })
    return this.finish(`WITH ${recursive}${definitions.join(", ")} ${body}`)
  }

  #statement(statement: Statement): string {
    switch (statement.kind) {
      case "select":
        return this.#visitSelect(statement as Select)
      case "compound_select":
        return this.#visitCompound(statement as CompoundSelect)
      case "insert":
        return this.#visitInsert(statement as Insert<never>)
      case "update":
        return this.#visitUpdate(statement as Update<never>)
      case "delete":
        return this.#visitDelete(statement as Delete<never>)
      default:
        if ("renderWith" in statement) return (statement as unknown as SelfRendering).renderWith(this)
        throw new InvalidRequestError(
          `The ${this.dialect.name} compiler cannot render a "${statement.kind}" statement`,
        )
    }
  }

  /** DDL hooks. How a generated integer primary key is declared, given its type name. */
  generatedKeyType(typeName: string): string {
    return typeName
  }

  /** DDL hook: the statement that adds a foreign key to an existing table. */
  addForeignKeySql(sql: string): string {
    return sql
  }

  /** DDL hook: whether DROP TABLE takes CASCADE. */
  get dropCascades(): boolean {
    return true
  }

  protected nestedSelect(select: SubqueryTarget): string {
    return this.#statement(select as unknown as Statement)
  }

  #visitSelect(select: Select): string {
    const state = select.state
    const froms = this.#fromsOf(select)
    this.#enclosingFroms.push(new Set(froms.flatMap((from) => this.#parentsIn(from))))
    try {
      const parts = [`SELECT ${state.distinct ? "DISTINCT " : ""}${this.#selectList(state.items)}`]
      if (froms.length > 0) parts.push(`FROM ${froms.map((from) => this.#from(from)).join(", ")}`)
      if (state.where.length > 0) parts.push(`WHERE ${this.#conditions(state.where)}`)
      if (state.groupBy.length > 0)
        parts.push(`GROUP BY ${state.groupBy.map((e) => this.expression(e)).join(", ")}`)
      if (state.having.length > 0) parts.push(`HAVING ${this.#conditions(state.having)}`)
      if (state.orderBy.length > 0)
        parts.push(`ORDER BY ${state.orderBy.map((o) => this.ordering(o)).join(", ")}`)
      const limit = this.limitOffset(state.limit, state.offset)
      if (limit) parts.push(limit)
      if (state.forUpdate) parts.push(this.forUpdate(state.forUpdate))
      return parts.join(" ")
    } finally {
      this.#enclosingFroms.pop()
    }
  }

  #visitCompound(compound: CompoundSelect): string {
    const { state } = compound
    const parts = [state.selects.map((s) => this.nestedSelect(s)).join(` ${state.operator} `)]
    if (state.orderBy.length > 0)
      parts.push(`ORDER BY ${state.orderBy.map((o) => this.ordering(o)).join(", ")}`)
    const limit = this.limitOffset(state.limit, state.offset)
    if (limit) parts.push(limit)
    return parts.join(" ")
  }

  /** Explicit FROM items, then the ones the columns imply, minus those correlated to an outer select. */
  #fromsOf(select: Select): FromClause[] {
    const { state } = select
    const explicit = [...state.froms]
    const covered = new Set(explicit.flatMap((from) => this.#parentsIn(from)))
    const referenced: ColumnParent[] = [
      ...state.items.flatMap((item) =>
        isEntity(item) ? [item[ENTITY].from] : isFromItem(item) ? [item] : [],
      ),
      ...columnParents([
        ...state.items.filter(isExpression),
        ...state.where,
        ...state.groupBy,
        ...state.having,
        ...state.orderBy,
      ]),
    ]
    const implied = referenced.filter(
      (p, i) => p.kind !== "excluded" && !covered.has(p) && referenced.indexOf(p) === i,
    )
    const own = implied.filter((p) => !this.#enclosingFroms.some((outer) => outer.has(p)))
    // As in SQLAlchemy, a subquery keeps its FROM items when correlating would leave it with none.
    const chosen = explicit.length === 0 && own.length === 0 ? implied : own
    return [...explicit, ...(chosen as FromClause[])]
  }

  /** Every column parent a FROM item provides: the item itself and, for joins, both sides. */
  #parentsIn(from: FromClause): ColumnParent[] {
    return from.kind === "join" ? [...this.#parentsIn(from.left), ...this.#parentsIn(from.right)] : [from]
  }

  #from(from: FromClause): string {
    switch (from.kind) {
      case "table":
        return this.quote(from.name)
      case "alias":
        return `${this.quote(from.target.name)} AS ${this.quote(from.name)}`
      case "subquery":
        return `(${this.nestedSelect(from.select)}) AS ${this.quote(from.name)}`
      case "cte":
        this.#defineCte(from)
        return this.quote(from.name)
      case "join":
        return this.#join(from)
    }
  }

  #join(join: Join): string {
    const type = join.type === "INNER" ? "JOIN" : join.type === "LEFT" ? "LEFT OUTER JOIN" : "FULL OUTER JOIN"
    return `${this.#from(join.left)} ${type} ${this.#from(join.right)} ON ${this.expression(join.on)}`
  }

  /** Renders a CTE's definition once, after the CTEs it uses, for the WITH clause. */
  #defineCte(cte: Cte): void {
    if (this.#ctesInProgress.has(cte.name) || this.#cteOrder.some((c) => c.cte.name === cte.name)) return
    this.#ctesInProgress.add(cte.name)
    const saved = this.#enclosingFroms.splice(0)
    try {
      const parts = [
        this.nestedSelect(cte.select),
        ...(cte.recursion?.selects.map((s) => this.nestedSelect(s)) ?? []),
      ]
      this.#cteOrder.push({ cte, sql: parts.join(` ${cte.recursion?.operator ?? "UNION ALL"} `) })
    } finally {
      this.#enclosingFroms.push(...saved)
      this.#ctesInProgress.delete(cte.name)
    }
  }

  #selectList(items: readonly SelectItem[]): string {
    if (items.length === 0) throw new InvalidRequestError("A select needs at least one column")
    return items
      .flatMap((item) => {
        if (isEntity(item)) return item[ENTITY].columns.map((col) => this.#selectColumn(col))
        if (isFromItem(item)) return item.columns.map((col) => this.#selectColumn(col))
        const expression = item as Expression<unknown>
        if (expression.kind === "column") return [this.#selectColumn(expression as Column<unknown>)]
        if (expression.kind === "label") {
          return [
            `${this.expression(expression)} AS ${this.quote((expression as unknown as { name: string }).name)}`,
          ]
        }
        return [this.expression(expression)]
      })
      .join(", ")
  }

  /** A column in a select list, named by its key when that differs from its database name. */
  #selectColumn(column: Column<unknown>): string {
    const sql = this.expression(column)
    return column.key === column.name ? sql : `${sql} AS ${this.quote(column.key)}`
  }

  #conditions(conditions: readonly Expression<unknown>[]): string {
    if (conditions.length === 1) return this.expression(conditions[0] as Expression<unknown>)
    return conditions
      .map((c) => (c.kind === "boolean_list" ? `(${this.expression(c)})` : this.expression(c)))
      .join(" AND ")
  }

  protected limitOffset(
    limit: number | Expression<number> | undefined,
    offset: number | Expression<number> | undefined,
  ): string {
    const parts: string[] = []
    if (limit !== undefined) parts.push(`LIMIT ${this.expression(asExpression(limit, Integer))}`)
    if (offset !== undefined) parts.push(`OFFSET ${this.expression(asExpression(offset, Integer))}`)
    return parts.join(" ")
  }

  protected forUpdate(options: NonNullable<Select["state"]["forUpdate"]>): string {
    return `FOR ${options.mode}${options.nowait ? " NOWAIT" : ""}${options.skipLocked ? " SKIP LOCKED" : ""}`
  }

  #visitInsert(insert: Insert<never>): string {
    const { table, rows, fromSelect, onConflict, returning } = insert.state
    const target = `INSERT INTO ${this.quote(table.name)}`
    let body: string
    if (fromSelect) {
      const columns = fromSelect.columns.map((key) => this.quote(table.requireColumn(key).name))
      body = `(${columns.join(", ")}) ${this.#insertSelect(fromSelect.select, onConflict !== undefined)}`
    } else {
      body = this.#insertValues(table, rows.length === 0 ? [{}] : rows)
    }
    const conflict = onConflict ? ` ${this.#onConflict(table, onConflict)}` : ""
    return `${target} ${body}${conflict}${this.#returning(returning)}`
  }

  #insertSelect(select: SubqueryTarget, _hasConflictClause: boolean): string {
    return this.nestedSelect(select)
  }

  /** `(cols) VALUES (...), (...)` with client-side defaults applied for the columns rows leave out. */
  #insertValues(table: Table, rows: readonly Readonly<Record<string, unknown>>[]): string {
    const withDefaults = rows.map((row) => withClientDefaults(table, row, "default"))
    const columns = table.columns.filter((col) => withDefaults.some((row) => col.key in row))
    if (columns.length === 0) {
      if (rows.length > 1)
        throw new InvalidRequestError(`Cannot insert several rows of only defaults into "${table.name}"`)
      return "DEFAULT VALUES"
    }
    const tuples = withDefaults.map(
      (row) =>
        `(${columns.map((col) => (col.key in row ? this.columnValue(col, row[col.key]) : this.missingValue(col))).join(", ")})`,
    )
    return `(${columns.map((col) => this.quote(col.name)).join(", ")}) VALUES ${tuples.join(", ")}`
  }

  /** The value of a column a multi-row INSERT leaves out in some rows. */
  protected missingValue(_column: Column<unknown>): string {
    return "DEFAULT"
  }

  #onConflict(table: Table, conflict: OnConflict): string {
    const target = conflict.target.length
      ? ` (${conflict.target.map((key) => this.quote(table.requireColumn(key).name)).join(", ")})`
      : ""
    if (!conflict.set) return `ON CONFLICT${target} DO NOTHING`
    const where = conflict.where ? ` WHERE ${this.expression(conflict.where)}` : ""
    return `ON CONFLICT${target} DO UPDATE SET ${this.#assignments(table, conflict.set)}${where}`
  }

  #visitUpdate(update: Update<never>): string {
    const { table, values, where, returning } = update.state
    if (Object.keys(values).length === 0) {
      throw new InvalidRequestError(`UPDATE of "${table.name}" has no values; call .values({...})`)
    }
    const assignments = this.#assignments(table, withClientDefaults(table, values, "onUpdate"))
    const conditions = where.length > 0 ? ` WHERE ${this.#conditions(where)}` : ""
    return `UPDATE ${this.quote(table.name)} SET ${assignments}${conditions}${this.#returning(returning)}`
  }

  #assignments(table: Table, values: Readonly<Record<string, unknown>>): string {
    return Object.entries(values)
      .map(([key, value]) => {
        const column = table.requireColumn(key)
        return `${this.quote(column.name)} = ${this.columnValue(column, value)}`
      })
      .join(", ")
  }

  #visitDelete(statement: Delete<never>): string {
    const { table, where, returning } = statement.state
    const conditions = where.length > 0 ? ` WHERE ${this.#conditions(where)}` : ""
    return `DELETE FROM ${this.quote(table.name)}${conditions}${this.#returning(returning)}`
  }

  /** RETURNING with unqualified columns, which both dialects accept. */
  #returning(items: readonly SelectItem[]): string {
    return items.length === 0 ? "" : this.unqualified(() => ` RETURNING ${this.#selectList(items)}`)
  }
}

function isFromItem(item: SelectItem): item is Table | Alias<ColumnSpecs> {
  return !isEntity(item) && !(item instanceof Expression)
}

function isExpression(item: SelectItem): item is Expression<unknown> {
  return item instanceof Expression
}
