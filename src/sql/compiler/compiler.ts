// The statement half of the base compiler: SELECT (with FROM inference, joins, correlation and CTEs) and
// set operations. INSERT/UPDATE/DELETE (./dml-renderer.ts) and DDL (./ddl-renderer.ts) render themselves
// through it, so a bundle that never writes carries neither. Dialect compilers override only what differs.
import { InvalidRequestError } from "../../errors.ts"
import type { CompoundMember, CompoundSelect } from "../compound.ts"
import {
  asExpression,
  BooleanList,
  Expression,
  Ordering,
  RawSql,
  type SubqueryTarget,
} from "../expression.ts"
import { type Alias, type Cte, type FromClause, type Join, tablesOf } from "../from.ts"
import type { Column, ColumnParent } from "../schema/column.ts"
import type { ColumnSpecs, Table } from "../schema/table.ts"
import type { Select } from "../select.ts"
import { ENTITY, isEntity, type SelectItem } from "../select-items.ts"
import type { Statement } from "../statement.ts"
import { outputNames } from "../subquery.ts"
import { columnParents } from "../traverse.ts"
import { BigInteger, NullType } from "../types.ts"
import type { Compiled } from "./dialect.ts"
import { ExpressionCompiler, type Template } from "./expression-compiler.ts"

/** Statements that render themselves through a compiler (DML, DDL), so the compiler need not carry them. */
interface SelfRendering {
  renderWith(compiler: Compiler): string
}

export class Compiler extends ExpressionCompiler {
  /** FROM items of the selects being compiled, innermost last: what a subquery may correlate to. */
  #enclosingFroms: Set<ColumnParent>[] = []
  /** CTEs in the order their definitions must appear (dependencies first). */
  readonly #cteOrder: { cte: Cte; sql: string }[] = []
  /** The CTE each name stands for in this statement (its first version, for a recursive one). */
  readonly #ctesByName = new Map<string, Cte>()

  compile(statement: Statement): Compiled {
    return this.bound(this.template(statement))
  }

  /** The statement's SQL and where its parameters come from, to bind now or again later. */
  template(statement: Statement): Template {
    const body = this.#statement(statement)
    if (this.#cteOrder.length === 0) return this.finish(body)
    const recursive = this.#cteOrder.some(({ cte }) => cte.recursive) ? "RECURSIVE " : ""
    const definitions = this.#cteOrder.map(
      ({ cte, sql }) => cte.definition?.(this, sql) ?? `${this.quote(cte.name)} AS (${sql})`,
    )
    return this.finish(`WITH ${recursive}${definitions.join(", ")} ${body}`)
  }

  #statement(statement: Statement): string {
    switch (statement.kind) {
      case "select":
        return this.#visitSelect(statement as Select)
      case "compound_select":
        return this.#visitCompound(statement as CompoundSelect)
      default:
        if ("renderWith" in statement) return (statement as unknown as SelfRendering).renderWith(this)
        throw new InvalidRequestError(
          `The ${this.dialect.name} compiler cannot render a "${statement.kind}" statement`,
        )
    }
  }

  /** A select inside another statement; `single`: in() takes one column (both databases refuse more). */
  nestedSelect(select: SubqueryTarget, single?: boolean): string {
    if (single && outputsOf((select as Select).state.items ?? (select as CompoundSelect).items)[1]) {
      throw new InvalidRequestError("in() takes one column")
    }
    return this.#statement(select as unknown as Statement)
  }

  /**
   * Renders with `tables` as the only FROM items a select inside may correlate to: none for a select
   * that correlates to nothing outside it (a CTE's, a FROM-clause subquery's); an UPDATE's or DELETE's
   * table (and an UPDATE's FROM), so that a subquery naming it correlates to the row being changed
   * (./dml-renderer.ts), as in SQLAlchemy.
   */
  correlatedTo<T>(tables: readonly ColumnParent[], render: () => T): T {
    const enclosing = this.#enclosingFroms
    this.#enclosingFroms = [new Set(tables)]
    try {
      return render()
    } finally {
      this.#enclosingFroms = enclosing
    }
  }

  #visitSelect(select: Select): string {
    const state = select.state
    const froms = this.#fromsOf(select)
    this.#enclosingFroms.push(new Set(froms.flatMap(tablesOf)))
    try {
      const parts = [
        `SELECT ${state.distinct ? "DISTINCT " : ""}${this.selectList(state.items)}`,
        froms.length > 0 && `FROM ${froms.map((from) => this.from(from)).join(", ")}`,
        state.where.length > 0 && `WHERE ${this.conditions(state.where)}`,
        state.groupBy.length > 0 && `GROUP BY ${state.groupBy.map((e) => this.expression(e)).join(", ")}`,
        state.having.length > 0 && `HAVING ${this.conditions(state.having)}`,
        state.orderBy.length > 0 &&
          `ORDER BY ${state.orderBy.map((o) => this.ordering(o, state.items)).join(", ")}`,
        this.limitOffset(state.limit, state.offset),
        state.forUpdate && this.forUpdate(state.forUpdate),
      ]
      return parts.filter(Boolean).join(" ")
    } finally {
      this.#enclosingFroms.pop()
    }
  }

  #visitCompound(compound: CompoundSelect): string {
    const { state } = compound
    const parts = [state.selects.map((s) => this.#compoundMember(s)).join(` ${state.operator} `)]
    if (state.orderBy.length > 0) {
      // The members' tables are out of scope after a set operation: it orders by its output columns,
      // a column or a label of the first member's by its position (SQLite matches no name to an
      // unlabelled `t.id`, and another `id` may have come first; PostgreSQL finds a name the member
      // gives twice ambiguous), any other column or label by its name.
      const outputs = outputsOf(compound.items)
      const byOutput = state.orderBy.map((o) => {
        const column = o.operand as Column<unknown>
        const at = outputs.indexOf(column)
        const operand =
          at >= 0 ? new RawSql(`${at + 1}`, NullType) : column.kind === "column" && column.label(column.key)
        return operand ? new Ordering(operand, o.direction, o.nulls) : o
      })
      parts.push(`ORDER BY ${this.unqualified(() => byOutput.map((o) => this.ordering(o)).join(", "))}`)
    }
    const limit = this.limitOffset(state.limit, state.offset)
    if (limit) parts.push(limit)
    return parts.join(" ")
  }

  /** A member with its own ORDER BY or LIMIT, or a compound itself, grouped so that they stay its own. */
  #compoundMember(member: CompoundMember): string {
    const sql = this.nestedSelect(member)
    const { orderBy, limit, offset } = member.state
    const own =
      member.kind === "compound_select" || orderBy.length > 0 || limit !== undefined || offset !== undefined
    return own ? this.groupedCompoundMember(sql) : sql
  }

  /** Dialect hook: a grouped member of a set operation; SQLite takes no parentheses there. */
  protected groupedCompoundMember(sql: string): string {
    return `(${sql})`
  }

  /** Explicit FROM items, then the ones the columns imply, minus those correlated to an outer select. */
  #fromsOf(select: Select): FromClause[] {
    const { state } = select
    const explicit = [...state.froms]
    const covered = new Set<ColumnParent>(explicit.flatMap(tablesOf))
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

  /** A FROM item: a table, an alias, a subquery, a CTE or a join. */
  from(from: FromClause): string {
    switch (from.kind) {
      case "table":
        return this.quote(from.name)
      case "alias":
        return `${this.quote(from.target.name)} AS ${this.quote(from.name)}`
      case "subquery":
        // As in SQLAlchemy, a FROM-clause subquery is never correlated: it keeps every table it names.
        return `(${this.correlatedTo([], () => this.nestedSelect(from.select))}) AS ${this.quote(from.name)}`
      case "cte":
        this.#defineCte(from)
        return this.quote(from.name)
      case "join":
        return this.#join(from)
    }
  }

  #join(join: Join): string {
    const type = join.type === "INNER" ? "JOIN" : join.type === "LEFT" ? "LEFT OUTER JOIN" : "FULL OUTER JOIN"
    return `${this.from(join.left)} ${type} ${this.from(join.right)} ON ${this.expression(join.on)}`
  }

  /** Renders a CTE's definition once, after the CTEs it uses, for the WITH clause. */
  #defineCte(cte: Cte): void {
    const first = cte.restates ?? cte
    const known = this.#ctesByName.get(cte.name)
    if (known === first) return
    if (known) {
      throw new InvalidRequestError(
        `Two CTEs are named "${cte.name}" in one statement; give each its own name`,
      )
    }
    this.#ctesByName.set(cte.name, first)
    const parts = this.correlatedTo([], () => [
      this.nestedSelect(cte.select),
      ...(cte.recursion?.selects.map((s) => this.nestedSelect(s)) ?? []),
    ])
    this.#cteOrder.push({ cte, sql: parts.join(` ${cte.recursion?.operator ?? "UNION ALL"} `) })
  }

  /**
   * A select list, or a RETURNING list (./dml-renderer.ts). Columns are named by their keys, labels by
   * their names, a name already taken by its next free `_1`, `_2` (../subquery.ts outputNames, as
   * outputColumns names them): a subquery or CTE of two tables' `id`s, or of a model's hybrid and its
   * alias's, has two columns to select from, and rows have a key for each.
   */
  selectList(items: readonly SelectItem[]): string {
    if (items.length === 0) throw new InvalidRequestError("A select needs at least one column")
    const nameOf = outputNames(items)
    const column = (col: Column<unknown>) => {
      const name = nameOf(col.key)
      const sql = this.expression(col)
      return name === col.name ? sql : `${sql} AS ${this.quote(name)}`
    }
    return items
      .flatMap((item) => {
        if (isEntity(item)) return item[ENTITY].columns.map(column)
        if (isFromItem(item)) return item.columns.map(column)
        const expression = item as Expression<unknown>
        if (expression.kind === "column") return [column(expression as Column<unknown>)]
        if (expression.kind === "label") {
          const { name } = expression as unknown as { name: string }
          return [`${this.expression(expression, true)} AS ${this.quote(nameOf(name, true))}`]
        }
        return [this.expression(expression, true)]
      })
      .join(", ")
  }

  /** Conditions joined by AND (a WHERE's, a HAVING's). */
  conditions(conditions: readonly Expression<unknown>[]): string {
    const [only] = conditions
    return this.expression(only && conditions.length === 1 ? only : new BooleanList("AND", conditions))
  }

  protected limitOffset(
    limit: number | Expression<number> | undefined,
    offset: number | Expression<number> | undefined,
  ): string {
    const parts: string[] = []
    if (limit !== undefined) parts.push(`LIMIT ${this.expression(asExpression(limit, BigInteger))}`)
    if (offset !== undefined) parts.push(`OFFSET ${this.expression(asExpression(offset, BigInteger))}`)
    return parts.join(" ")
  }

  protected forUpdate(options: NonNullable<Select["state"]["forUpdate"]>): string {
    return `FOR ${options.mode}${options.nowait ? " NOWAIT" : ""}${options.skipLocked ? " SKIP LOCKED" : ""}`
  }
}

/** A select list's output columns: an entity's or a table's each, any other item one. */
function outputsOf(items: readonly SelectItem[]): readonly unknown[] {
  return items.flatMap((item): readonly unknown[] =>
    isEntity(item) ? item[ENTITY].columns : isFromItem(item) ? item.columns : [item],
  )
}

function isFromItem(item: SelectItem): item is Table | Alias<ColumnSpecs> {
  return !isEntity(item) && !(item instanceof Expression)
}

function isExpression(item: SelectItem): item is Expression<unknown> {
  return item instanceof Expression
}
