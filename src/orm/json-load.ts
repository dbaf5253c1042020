// A query and all the levels of its loads in one statement (DESIGN.md: "one statement with JSON
// aggregation"). The query and each level become common table expressions, each level selecting its
// rows by the keys the level above holds, so the query runs once, not once per level; the statement
// answers one row holding each one's rows as a JSON array of arrays, values kept exact by the dialect
// (../sql/json-rows.ts). One statement is one snapshot and, at the edge, the cheapest request: no
// BEGIN and COMMIT around it, one plan. When the query's rows could not travel as JSON unchanged
// (values of no known type, unnamed columns, a DISTINCT ordered by columns it does not select), the
// query runs as it is beside the statement of the levels, in the same request; the statement then
// answers the keys its levels were read for, as two runs may give two sets of rows.
import { decodeOwnRow, slotsOf } from "../engine/row-shape.ts"
import { type Compiled, type CompileOptions, DefaultDialect, type Dialect } from "../sql/compiler/dialect.ts"
import { bindParams, type ExpressionCompiler, type Template } from "../sql/compiler/expression-compiler.ts"
import { Expression, Label, literalColumn, Ordering, type RawSql } from "../sql/expression.ts"
import { Cte } from "../sql/from.ts"
import { InKeys, JsonRows } from "../sql/json-rows.ts"
import type { Column } from "../sql/schema/column.ts"
import { Select, select } from "../sql/select.ts"
import { ENTITY, isEntity, type SelectItem } from "../sql/select-items.ts"
import { Statement } from "../sql/statement.ts"
import { ScalarSubquery } from "../sql/subquery.ts"
import { cached } from "../util/cached.ts"
import type { LoadPlan } from "./loading.ts"
import { mapperOf } from "./mapper-of.ts"

export interface JsonLoad {
  /**
   * One row: the JSON rows of the query (when `names`; else of `roots`), then of each level, in plan
   * order.
   */
  readonly statement: Statement
  /** What a read sends: the statement alone (the query travels in it), or the query beside it. */
  readonly statements: readonly Statement[]
  /** The query's column names when its rows travel in the statement; else it runs beside it. */
  readonly names: readonly string[] | undefined
  /**
   * The parent keys of the levels that hang from the query (in their order), as the statement's own
   * run of the query gave them: the objects whose loads it read, when the query ran beside.
   */
  readonly roots: Query
}

/**
 * The rows of `shape` (the query or a level's statement) in the `at`-th column of the statement's
 * row, decoded as if the driver had answered them: JSON carries bytes as hex and 64-bit integers as
 * text, which are turned back first.
 */
export function jsonRows(row: readonly unknown[], at: number, shape: Query, dialect: Dialect): unknown[][] {
  const { items } = shape.state
  const restored = cached(restoredColumns, items, () => restoredOf(items))
  const slots = slotsOf(shape)
  const json = (row[at] ?? []) as unknown[][]
  const rows: unknown[][] = new Array(json.length)
  for (let r = 0; r < json.length; r++) {
    const values = json[r] as unknown[]
    for (const [i, kind] of restored) {
      const value = values[i]
      if (typeof value !== "string") continue
      // Bytes come as `\x` and hex; other text a column mapped as bytes holds is left to be refused.
      if (kind === "binary") values[i] = value.startsWith("\\x") ? hexBytes(value.slice(2)) : value
      else if (/^-?\d+$/.test(value)) values[i] = BigInt(value)
    }
    rows[r] = decodeOwnRow(values, slots, dialect)
  }
  return rows
}

/** Per list of select items (statements are immutable): the columns whose JSON values need restoring. */
const restoredColumns = new WeakMap<
  readonly SelectItem[],
  readonly (readonly [number, "binary" | "bigint"])[]
>()

function restoredOf(items: readonly SelectItem[]): (readonly [number, "binary" | "bigint"])[] {
  const restored: [number, "binary" | "bigint"][] = []
  for (const [i, column] of columnsOf(items).entries()) {
    const kind = column.type.kind
    if (kind === "binary" || kind === "bigint") restored.push([i, kind])
  }
  return restored
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) =>
    Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  )
}

type Query = Select<readonly SelectItem[]>

/** The one statement of a plan with levels (built once per plan: a cached plan keeps its SQL too). */
export function jsonLoad(plan: LoadPlan): JsonLoad {
  return cached(built, plan, () => buildJsonLoad(plan))
}

const built = new WeakMap<LoadPlan, JsonLoad>()

function buildJsonLoad(plan: LoadPlan): JsonLoad {
  const { statement: query, levels, joined } = plan
  // The query's rows are ordered again in the JSON by its ORDER BY values: its own columns, or hidden
  // ones added for the purpose.
  const columns = columnsOf(query.state.items)
  let hidden: Expression<unknown>[] = []
  const orderAt = query.state.orderBy.map(({ operand }) => {
    const own = columns.indexOf(operand)
    if (own >= 0) return own
    // Raw SQL naming a label of the select list (`literalColumn("n")`) orders by that column: as a
    // hidden column it would name an alias where none is defined.
    const raw = operand.kind === "raw" && (operand as RawSql<unknown>).sql.trim().replace(/^"(.*)"$/, "$1")
    const label = columns.findIndex((column) => column instanceof Label && column.name === raw)
    if (label >= 0) return label
    hidden.push(operand instanceof Label ? operand.operand : operand)
    return columns.length + hidden.length - 1
  })
  // A DISTINCT query travels too, so that it runs once (run twice, two runs could give two sets of rows,
  // and objects of the one read would be given the loads of the other: none). Not one ordered by
  // columns it does not select (SQLite allows it): added, they would change what it makes distinct.
  const names = query.state.distinct && hidden.length > 0 ? undefined : namesOf(query.state.items)
  if (!names) hidden = []
  const ordered = names ? query.state.orderBy : []
  const body = new Select({ ...query.state, items: [...query.state.items, ...hidden] })
  const parentKeys = levels.map((level) => level.property.pairs[0]?.[0] as Column<unknown>)
  const keys = levels.map((level, i) => {
    const parentKey = parentKeys[i] as Column<unknown>
    if (level.parent === -1) return keyColumn(query.state.items, level.item, parentKey)
    // A level's own objects come first in its rows.
    return keyColumn(levels[level.parent]?.load.statement.state.items ?? [], 0, parentKey)
  })
  const rootLevels = [...levels.keys()].filter((i) => levels[i]?.parent === -1)
  // The statement around the query, given what the query's CTE holds (the query, or a stand-in).
  const around = (query: Query): Query => {
    const ctes = [cte(query, 0)]
    for (const [i, level] of levels.entries()) {
      const parent = ctes[level.parent + 1] as Cte
      const keySelect = select(parent.columns[keys[i] as number] as Column<unknown>)
      const where = [new InKeys(level.load.link, keySelect)]
      // Ordered where its rows are gathered, as a CTE's order does not carry into them.
      ctes.push(cte(new Select({ ...level.load.statement.state, where, orderBy: [] }), i + 1))
    }
    const rows = ctes.map((table, i) => {
      // A level orders by its target's columns (relationship orderBy), which its rows start with.
      const target = levels[i - 1]?.property
      const order = (target ? target.orderBy : ordered).map((o, j) => {
        const at = target ? target.target.table.columns.indexOf(o.operand as Column<unknown>) : orderAt[j]
        return new Ordering(table.columns[at as number] as Column<unknown>, o.direction, o.nulls)
      })
      // Run beside, the query's rows are read from its own run; this run's keys say which objects the
      // levels' rows are for (a volatile condition, a LIMIT without a unique order: not the same).
      const own =
        i > 0 || names
          ? table.columns.slice(0, i === 0 ? columns.length : undefined)
          : rootLevels.map((level) => table.columns[keys[level] as number] as Column<unknown>)
      const json = new JsonRows(own, order)
      return new ScalarSubquery(select(json), json.type)
    })
    return select(...rows) as Query
  }
  // Everything the SQL around the query depends on: statements of the same shape share it.
  const shape = [
    names ? `rows ${columns.length}` : "beside",
    ...columnsOf(body.state.items).map((column) => column.type.kind),
    ...ordered.map((o, j) => `${orderAt[j]} ${o.direction} ${o.nulls}`),
    ...levels.map((level, i) => `${idOf(level.property)} ${level.parent} ${keys[i]}`),
    ...joined.map((load) => `joined ${idOf(load.property)} ${load.owner}`),
  ].join("/")
  const roots = select(...rootLevels.map((level) => parentKeys[level] as Column<unknown>)) as Query
  const statement = new JsonLoadStatement(body, around, shape, levels.length + 1)
  return { statement, statements: names ? [statement] : [query, statement], names, roots }
}

/**
 * The one statement. The SQL around the query (the loads' CTEs and the JSON) is compiled once per
 * shape and dialect, with a stand-in for the query, whose own SQL is compiled as any query's.
 */
class JsonLoadStatement extends Statement {
  readonly kind = "select"
  /** What its one row holds, for decoding: a JSON array per column. */
  readonly state: { readonly items: readonly SelectItem[] }

  constructor(
    readonly query: Query,
    readonly around: (query: Query) => Query,
    readonly shape: string,
    columns: number,
  ) {
    super()
    this.state = { items: Array.from({ length: columns }, () => JSON_ITEM) }
    Object.freeze(this)
  }

  override template(dialect: Dialect): Template {
    const known = cached(shapes, dialect, () => new Map())
    // Kept for the first 200 shapes: an app has a few; one that makes them on the fly compiles whole.
    const parts =
      known.size < 200 || known.has(this.shape)
        ? cached(known, this.shape, () => partsAround(this.around, this.query, dialect))
        : null
    if (!parts) return this.around(this.query).template(dialect)
    const query = this.query.template(dialect)
    return { sql: `${parts.head}${query.sql}${parts.tail}`, params: query.params }
  }

  override compile(dialect: Dialect = DefaultDialect.instance, options: CompileOptions = {}): Compiled {
    if (options.literalBinds) return this.around(this.query).compile(dialect, options)
    return bindParams(this.template(dialect), dialect, options.values)
  }
}

const JSON_ITEM = /* @__PURE__ */ new JsonRows([], [])
// Weak: a dialect made per engine goes with its engine.
const shapes = new WeakMap<Dialect, Map<string, { head: string; tail: string } | null>>()
const ids = new WeakMap<object, number>()
let lastId = 0
const idOf = (property: object) => cached(ids, property, () => ++lastId)

/**
 * The SQL before and after the query's, from the statement around a stand-in that selects NULLs of
 * the query's types; null (compile whole) if it cannot be cut cleanly.
 */
function partsAround(around: (query: Query) => Query, query: Query, dialect: Dialect) {
  const standIn = select(...columnsOf(query.state.items).map((c) => literalColumn("NULL", c.type))) as Query
  const marker = `(${standIn.template(dialect).sql})`
  const whole = around(standIn).template(dialect)
  const at = whole.sql.indexOf(marker)
  if (at < 0 || whole.params.length > 0) return null
  return { head: whole.sql.slice(0, at + 1), tail: whole.sql.slice(at + marker.length - 1) }
}

/**
 * A statement as `_l<i>(c0, c1, ...)`: columns named by position, whatever the select calls them; read
 * by the rows and by the next level's keys, so computed once (the same rows for both).
 */
function cte(body: Query, index: number): Cte {
  const output = columnsOf(body.state.items).map((column, i) => ({ name: `c${i}`, type: column.type }))
  return new LevelCte(body, `_l${index}`, output, false)
}

/**
 * A level's CTE, `_l<i>(c0, c1, ...) AS MATERIALIZED (...)`: its columns named in its definition, and
 * computed once, whatever reads it: SQLite runs a CTE again where it is read, and a query whose rows can
 * differ between runs (random order, ties under a LIMIT) must not.
 */
class LevelCte extends Cte {
  override definition(compiler: ExpressionCompiler, sql: string): string {
    const names = this.columns.map((c) => compiler.quote(c.name)).join(", ")
    return `${compiler.quote(this.name)}(${names}) AS MATERIALIZED (${sql})`
  }
}

/**
 * Every column a select list yields, in order: an entity's or a table's columns, an expression. Kept
 * per list (select lists never change), as a load asks for it several times per query and level.
 */
function columnsOf(items: readonly SelectItem[]): readonly Expression<unknown>[] {
  return cached(columnLists, items, () => items.flatMap(columnsOfItem))
}

const columnLists = new WeakMap<readonly SelectItem[], readonly Expression<unknown>[]>()

function columnsOfItem(item: SelectItem): readonly Expression<unknown>[] {
  return isEntity(item) ? item[ENTITY].columns : item instanceof Expression ? [item] : item.columns
}

/**
 * The names of the query's columns as the database would answer them, if its rows can travel as JSON
 * unchanged: every value of a known type, every column named (an entity's, a table's, a column's
 * key, a label).
 */
function namesOf(items: readonly SelectItem[]): string[] | undefined {
  const names: string[] = []
  for (const item of items) {
    if (item instanceof Label) names.push(item.name)
    else if (item instanceof Expression) {
      if (item.kind !== "column") return undefined
      names.push((item as Column<unknown>).key)
    } else names.push(...(isEntity(item) ? item[ENTITY].columns : item.columns).map((c) => c.key))
  }
  return columnsOf(items).some((column) => column.type.kind === "null") ? undefined : names
}

/** Where the parent key of a level sits among its parent's columns: in the entity it hangs from. */
function keyColumn(items: readonly SelectItem[], entity: number, parentColumn: Column<unknown>): number {
  let before = 0
  for (let i = 0; i < entity; i++) before += columnsOfItem(items[i] as SelectItem).length
  return before + mapperOf(items[entity]).table.columns.indexOf(parentColumn)
}
