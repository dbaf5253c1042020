// The expression half of the base compiler: one `visitX` per expression kind. Values become markers
// while compiling and placeholders at the end, in textual order, so any part of a statement (a WITH
// clause found late, say) can be rendered in any order and `?` parameters still line up.
import { InvalidRequestError } from "../../errors.ts"
import { cached } from "../../util/cached.ts"
import { hex } from "../../util/hex.ts"
import type {
  Between,
  Binary,
  BindParam,
  BooleanList,
  Cast,
  Expression,
  InList,
  Label,
  Not,
  Ordering,
  Postfix,
  RawSql,
  SubqueryTarget,
} from "../expression.ts"
import type { FunctionCall } from "../functions.ts"
import type { Column } from "../schema/column.ts"
import type { Exists, ScalarSubquery } from "../subquery.ts"
import type { SqlType } from "../types.ts"
import type { Compiled, CompileOptions, Dialect } from "./dialect.ts"
import { quoteIdentifier } from "./identifiers.ts"

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL delimits value markers because no SQL text can hold it (identifiers and literals refuse it)
const MARKER = /\u0000(\d+)\u0000/g

/**
 * Expressions of rarer kinds (CASE, DISTINCT) render themselves, so that the base compiler, and a
 * bundle that never builds them, need not carry their rendering.
 */
export interface SelfRenderingExpression extends Expression<unknown> {
  renderWith(compiler: ExpressionCompiler): string
  /** Whether it is parenthesized as the operand of an operator, as operations are. */
  readonly compound?: boolean
}

/**
 * Where a parameter's value comes from: the statement (`value`) or the execution (`bindparam` `name`).
 * A compiled statement keeps these, so that its SQL can be reused and only its values bound again.
 */
export interface ParamSlot {
  readonly value?: unknown
  readonly name?: string
  readonly type: SqlType<unknown>
  /** The column the value is written to (INSERT, UPDATE SET), whose capacity it is checked against. */
  readonly column?: Column<unknown> | undefined
  /** A select item that is a value (labelled or not): nothing around it says its type. */
  readonly alone?: boolean
}

/** A statement's SQL for one dialect, and where its parameters come from, in placeholder order. */
export interface Template {
  readonly sql: string
  readonly params: readonly ParamSlot[]
}

/** The parameters of a template, encoded for the driver; every value is checked (../value-checks.ts). */
export function bindParams(
  template: Template,
  dialect: Dialect,
  values: Readonly<Record<string, unknown>> = {},
): Compiled {
  const params = template.params.map(({ value, name, type, column }) => {
    const given = name === undefined ? value : values[name]
    // Undefined (`{ id: undefined }`, a missing request field) was bound as NULL and matched nothing.
    if (name !== undefined && given === undefined) {
      throw new InvalidRequestError(`No value for the bind parameter "${name}"; pass it in { values }`)
    }
    return given === null || given === undefined ? null : dialect.encode(given, type, column)
  })
  return { sql: template.sql, params }
}

export abstract class ExpressionCompiler {
  /** Parameters by marker number. */
  readonly #values: ParamSlot[] = []
  /** The marker of each value node rendered, by the node it was rendered in, then by node. */
  readonly #binds = new Map<unknown, Map<BindParam<unknown>, string>>()
  /** The node being rendered (a label's place is its own), which a value inside it is rendered in. */
  #at: Expression<unknown> | null | undefined
  /** Whether columns render as `"table"."column"` (off in DDL, INSERT column lists, SET targets). */
  #qualifyColumns = true
  /** Whether values are written inline (literal-binds mode, and DDL, which takes no parameters). */
  #inlineValues: boolean

  readonly #options: CompileOptions
  /** How names are spelled while DDL renders (`inDdlMode`, ./ddl-renderer.ts); the options' `quoteName` first. */
  declare ddlQuoteName: ((name: string) => string) | undefined

  constructor(
    readonly dialect: Dialect,
    options: CompileOptions,
  ) {
    this.#options = options
    this.#inlineValues = options.literalBinds === true
  }

  /** Replaces value markers with the dialect's placeholders, numbering them in textual order. */
  protected finish(sql: string): Template {
    const params: ParamSlot[] = []
    const text = sql.replace(MARKER, (_, index: string) =>
      this.placeholder(params, this.#values[Number(index)] as ParamSlot),
    )
    return { sql: text, params }
  }

  /** `{ sql, params }` of a template, with the values of this compilation's options. */
  protected bound(template: Template): Compiled {
    return bindParams(template, this.dialect, this.#options.values)
  }

  /**
   * The placeholder of `slot`'s value, which it adds to `params` (1-based `:param_n`). One bind parameter
   * used twice (`select(k).groupBy(k)`) is one slot: a dialect with numbered placeholders may send it once.
   */
  protected placeholder(params: ParamSlot[], slot: ParamSlot): string {
    return `:param_${params.push(slot)}`
  }

  /**
   * Every name is quoted (no keyword of any version of the database is ever read as a name), unless the
   * options or DDL mode give the words to quote (./identifiers.ts).
   */
  quote(name: string): string {
    if (name.includes("\u0000")) throw new InvalidRequestError("An identifier cannot hold a NUL (U+0000)")
    return (this.#options.quoteName ?? this.ddlQuoteName ?? quoteIdentifier)(name)
  }

  /**
   * A value as a parameter marker (checked by the dialect when bound), or inline, checked now, in
   * literal-binds mode. (A value written to a column: `columnValue`, ./dml-renderer.ts.)
   */
  value(slot: ParamSlot): string {
    if (this.#inlineValues) {
      const values = this.#options.values
      bindParams({ sql: "", params: [slot] }, this.dialect, values)
      return this.literal(slot.name === undefined ? slot.value : values?.[slot.name], slot.type)
    }
    this.#values.push(slot)
    return `\u0000${this.#values.length - 1}\u0000`
  }

  /** Runs a rendering with unqualified columns (RETURNING, DDL), and inline values if asked. */
  unqualified(render: () => string, inline = false): string {
    const [qualify, wasInline] = [this.#qualifyColumns, this.#inlineValues]
    this.#qualifyColumns = false
    this.#inlineValues ||= inline
    try {
      return render()
    } finally {
      this.#qualifyColumns = qualify
      this.#inlineValues = wasInline
    }
  }

  /** A value written into the SQL text, escaped. Only for literal-binds mode and DDL defaults. */
  literal(value: unknown, _type: SqlType<unknown>): string {
    if (value === null || value === undefined) return "NULL"
    if (typeof value === "boolean") return value ? "true" : "false"
    if (typeof value === "bigint") return value.toString()
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new InvalidRequestError(`Cannot write ${value} as a SQL literal`)
      return String(value)
    }
    if (value instanceof Date) return this.stringLiteral(value.toISOString())
    if (value instanceof Uint8Array) return `X'${hex(value)}'`
    if (typeof value === "string") return this.stringLiteral(value)
    return this.stringLiteral(JSON.stringify(value))
  }

  protected stringLiteral(text: string): string {
    if (text.includes("\u0000")) {
      throw new InvalidRequestError("SQL text cannot hold a NUL (U+0000); bind the value instead")
    }
    return `'${text.replaceAll("'", "''")}'`
  }

  /** `item`: a select item, whose place is null: a value there, labelled or not, is alone. */
  expression(node: Expression<unknown>, item?: boolean): string {
    const outer = this.#at
    const parent = item ? null : outer
    this.#at = node.kind === "label" ? parent : node
    // Not restored when rendering throws: a compiler that failed is not used again.
    const sql = this.#visit(node, parent)
    this.#at = outer
    return sql
  }

  #visit(node: Expression<unknown>, parent: Expression<unknown> | null | undefined): string {
    switch (node.kind) {
      case "column":
        return this.#visitColumn(node as Column<unknown>)
      case "bind":
        return this.#visitBind(node as BindParam<unknown>, parent)
      case "raw":
        return (node as RawSql<unknown>).sql
      case "binary":
        return this.visitBinary(node as Binary<unknown>)
      case "postfix":
        return `${this.#grouped((node as Postfix).operand)} ${(node as Postfix).operator}`
      case "not":
        return `NOT ${this.#grouped((node as Not).operand)}`
      case "boolean_list":
        return this.#visitBooleanList(node as BooleanList)
      case "in_list":
        return this.#visitInList(node as InList)
      case "between":
        return this.#visitBetween(node as Between)
      case "cast":
        return this.cast(this.expression((node as Cast<unknown>).operand), (node as Cast<unknown>).type)
      case "label":
        return this.expression((node as Label<unknown>).operand)
      case "scalar_subquery":
        return `(${this.nestedSelect((node as ScalarSubquery<unknown>).select)})`
      case "exists":
        return `EXISTS (${this.nestedSelect((node as Exists).select)})`
      default:
        if ("renderWith" in node) return (node as SelfRenderingExpression).renderWith(this)
        throw new InvalidRequestError(
          `The ${this.dialect.name} compiler cannot render a "${node.kind}" expression`,
        )
    }
  }

  /** A select inside an expression; the statement compiler correlates it with the enclosing FROMs. */
  abstract nestedSelect(select: SubqueryTarget, single?: boolean): string

  /** `CAST(sql AS type)`, or what converts as it does in the dialect. */
  cast(sql: string, type: SqlType<unknown>): string {
    return `CAST(${sql} AS ${this.typeName(type)})`
  }

  /** The SQL spelling of a type, for CAST and DDL; dialects override the names that differ. */
  typeName(type: SqlType<unknown>): string {
    const { length, precision, scale } = type.options
    switch (type.kind) {
      case "string":
      case "enum":
        return length === undefined ? "VARCHAR" : `VARCHAR(${length})`
      case "numeric":
        return precision === undefined
          ? "NUMERIC"
          : `NUMERIC(${precision}${scale === undefined ? "" : `, ${scale}`})`
      case "datetime":
        return "TIMESTAMP WITH TIME ZONE"
      case "binary":
        return "BLOB"
      case "null":
        return "NULL"
      default:
        return type.kind.toUpperCase()
    }
  }

  #visitColumn(column: Column<unknown>): string {
    const name = this.quote(column.name)
    const qualify = this.#qualifyColumns || column.parent.kind === "excluded"
    return qualify ? `${this.quote(column.parent.qualifier)}.${name}` : name
  }

  /**
   * A value is one slot wherever the same node holds it, so that an expression used twice
   * (`select(k).groupBy(k)`) can be one parameter (placeholder()). Elsewhere it is a slot of its own:
   * PostgreSQL types a parameter by where it stands (text alone, an integer beside `qty`, text in
   * `sku || $1`), and one `$n` in places of two types is refused.
   */
  #visitBind(node: BindParam<unknown>, parent: Expression<unknown> | null | undefined): string {
    const { name, value, type } = node
    if (name === undefined)
      return cached(
        cached(this.#binds, parent, () => new Map()),
        node,
        () => this.value({ value, type, alone: parent === null }),
      )
    // Printed SQL names a parameter it has no value for; a dialect's SQL takes it when bound.
    const values = this.#options.values
    if (this.dialect.name === "default" && values?.[name] === undefined) return `:${name}`
    return this.value({ name, type })
  }

  protected visitBinary(node: Binary<unknown>): string {
    return `${this.#grouped(node.left)} ${node.operator} ${this.#grouped(node.right)}`
  }

  #visitBooleanList(node: BooleanList): string {
    if (node.items.length === 0) return node.operator === "AND" ? "1 = 1" : "1 = 0"
    return node.items
      .map((item) =>
        unlabelled(item).kind === "boolean_list" ? `(${this.expression(item)})` : this.expression(item),
      )
      .join(` ${node.operator} `)
  }

  #visitInList(node: InList): string {
    const { items, negated } = node
    // An empty IN is always false and an empty NOT IN always true, as in SQLAlchemy.
    if (Array.isArray(items) && items.length === 0) return negated ? "1 = 1" : "1 = 0"
    const list = Array.isArray(items)
      ? (items as readonly Expression<unknown>[]).map((item) => this.expression(item)).join(", ")
      : this.nestedSelect(items as SubqueryTarget, true)
    return `${this.#grouped(node.operand)} ${negated ? "NOT IN" : "IN"} (${list})`
  }

  #visitBetween(node: Between): string {
    const operator = node.negated ? "NOT BETWEEN" : "BETWEEN"
    return `${this.#grouped(node.operand)} ${operator} ${this.#grouped(node.low)} AND ${this.#grouped(node.high)}`
  }

  /**
   * Dialect hook: a dialect's own spelling of a function call (SQLite's `now()`), or undefined for the
   * standard one, which the call renders itself (../functions.ts). Declared only: a dialect without one
   * (PostgreSQL's) carries no empty method.
   */
  functionCall?(node: FunctionCall<unknown>): string | undefined

  /**
   * An ORDER BY item. A label the select list defines (`listed`; every label, after a UNION) orders by
   * its name; any other is ordered by its expression, as no column of that name exists. So is one whose
   * name the list gives twice (PostgreSQL: 'ORDER BY "x" is ambiguous'), as in SQLAlchemy.
   */
  ordering(ordering: Ordering, listed?: readonly unknown[]): string {
    const operand = ordering.operand as Label<unknown>
    const byName =
      operand.kind === "label" &&
      (!listed ||
        (listed.includes(operand) &&
          listed.filter((item) => (item as Label<unknown>).name === operand.name).length < 2))
    const sql = byName ? this.quote(operand.name) : this.expression(operand)
    return `${sql} ${ordering.direction}${ordering.nulls ? ` ${ordering.nulls}` : ""}`
  }

  /** An operand of an operator, parenthesized when it is itself an operation (a labelled one too). */
  #grouped(node: Expression<unknown>): string {
    const sql = this.expression(node)
    const inner = unlabelled(node)
    return COMPOUND.has(inner.kind) || (inner as Partial<SelfRenderingExpression>).compound ? `(${sql})` : sql
  }
}

/** What a label (a hybrid, `expr.label("n")`) names: inside an expression the label is its operand. */
function unlabelled(node: Expression<unknown>): Expression<unknown> {
  let inner = node
  while (inner.kind === "label") inner = (inner as Label<unknown>).operand
  return inner
}

const COMPOUND = new Set(["binary", "boolean_list", "not", "in_list", "between", "postfix"])
