// What a one-statement load is made of (../orm/json-load.ts): the rows of a derived table as one JSON
// array of arrays, and a filter by the keys a derived table holds. Each renders itself, in the
// spelling of the dialect at hand (the only place the two differ in JSON), so that a bundle that never
// loads relationships carries none of it, as DISTINCT and CASE render themselves.
import type { ExpressionCompiler } from "./compiler/expression-compiler.ts"
import { BindParam, Expression, type Ordering, type SubqueryTarget } from "./expression.ts"
import { ScalarSubquery } from "./subquery.ts"
import { BooleanType, Json, NullType, Text } from "./types.ts"

/**
 * `json_agg(json_build_array(values...) ORDER BY ...)` (SQLite: `json_group_array(json_array(...))`),
 * each value as JSON keeps it exact: 64-bit integers and decimals as text; on SQLite also a REAL with
 * 17 digits (its JSON writes 15), in a value of any number type, and a BLOB as `\x` and its hex, as
 * PostgreSQL writes a bytea (its JSON refuses them). On PostgreSQL a timestamp travels as its epoch
 * milliseconds (a Date's precision; `extract` is exact numeric from PostgreSQL 14, Neon's oldest), not
 * as ISO text: making a Date of a number costs a fifth of parsing the text, and a load is often mostly
 * timestamps. No row: null, or `[]`.
 */
export class JsonRows extends Expression<unknown[][] | null> {
  readonly kind = "json_rows"
  readonly type = Json<unknown[][] | null>()

  constructor(
    readonly values: readonly Expression<unknown>[],
    readonly orderBy: readonly Ordering[],
  ) {
    super()
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return this.values
  }

  renderWith(compiler: ExpressionCompiler): string {
    const sqlite = compiler.dialect.name === "sqlite"
    const values = this.values.map((value) => {
      const sql = compiler.expression(value)
      const kind = value.type.kind
      if (kind === "bigint" || kind === "numeric") return `CAST(${sql} AS TEXT)`
      if (!sqlite) return kind === "datetime" ? `floor(extract(epoch FROM ${sql}) * 1000)` : sql
      // Marked as PostgreSQL marks bytea: anything else a BLOB column holds (text, a number) comes as it
      // is, and is refused as the driver's answer is (../dialects/sqlite/codecs.ts).
      if (kind === "binary")
        return `CASE typeof(${sql}) WHEN 'blob' THEN '\\x' || hex(${sql}) ELSE ${sql} END`
      // Whatever its type says, a number may be a REAL (SQLite's INTEGER column keeps a fraction another
      // writer gave it, raw SQL computes one): each number kind reads a REAL back from its text.
      if (kind !== "float" && kind !== "integer" && kind !== "smallint") return sql
      return `CASE typeof(${sql}) WHEN 'real' THEN printf('%!.17g', ${sql}) ELSE ${sql} END`
    })
    // No label is listed here: each orders by its expression.
    const order = this.orderBy.map((o) => compiler.ordering(o, []))
    const ordered = order.length > 0 ? ` ORDER BY ${order.join(", ")}` : ""
    return `${sqlite ? "json_group_array(json_array" : "json_agg(json_build_array"}(${values.join(", ")})${ordered})`
  }
}

/**
 * `operand IN (SELECT key FROM the level above)`, on both dialects. PostgreSQL plans it as a semi-join:
 * a hash of the keys when the column has no index (`= ANY(ARRAY(...))`, used before, scanned the whole
 * key array for every row: 70,000 parents took 13 s, not 0.3), or the keys made unique and each looked
 * up by index when there is one and they are few.
 */
export class InKeys extends Expression<boolean> {
  readonly kind = "in_keys"
  readonly type = BooleanType
  readonly compound = true

  constructor(
    readonly operand: Expression<unknown>,
    readonly keys: SubqueryTarget,
  ) {
    super()
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return [this.operand]
  }

  renderWith(compiler: ExpressionCompiler): string {
    const keys = compiler.expression(new ScalarSubquery(this.keys, NullType))
    const operand = compiler.expression(this.operand)
    return `${operand} IN ${keys}`
  }
}

/**
 * `operand IN (the values of one JSON array parameter)`, for more keys than a statement may bind one by
 * one (PostgreSQL 65,535 parameters, SQLite 32,766): `IN (SELECT CAST(value AS INTEGER) FROM
 * json_array_elements_text(CAST($1 AS json)))`, on SQLite `IN (SELECT value FROM json_each(?))`. Each key
 * is first encoded as the dialect binds it (SQLite's 64-bit integers as JSON integers, exactly).
 */
export class InJsonKeys extends Expression<boolean> {
  readonly kind = "in_json_keys"
  readonly type = BooleanType
  readonly compound = true

  constructor(
    readonly operand: Expression<unknown>,
    readonly keys: readonly unknown[],
  ) {
    super()
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return [this.operand]
  }

  renderWith(compiler: ExpressionCompiler): string {
    const { dialect } = compiler
    const type = this.operand.type
    const values = this.keys.map((key) => {
      const value = dialect.encode(key, type)
      return typeof value === "bigint" ? String(value) : JSON.stringify(value)
    })
    const keys = compiler.expression(new BindParam(`[${values.join(",")}]`, Text))
    const operand = compiler.expression(this.operand)
    return dialect.name === "postgresql"
      ? `${operand} IN (SELECT CAST(value AS ${compiler.typeName(type)}) FROM json_array_elements_text(CAST(${keys} AS json)))`
      : `${operand} IN (SELECT value FROM json_each(${keys}))`
  }
}
