// SQLite: `?` placeholders, booleans as 0/1, `lower(a) LIKE lower(b)` for ILIKE, and no row locks.
// Everything else is the base compiler's (its DDL's own spelling: ../../sql/compiler/ddl-renderer.ts).
import { DataError, UnsupportedCapabilityError } from "../../errors.ts"
import { Compiler } from "../../sql/compiler/compiler.ts"
import type { ParamSlot } from "../../sql/compiler/expression-compiler.ts"
import { type Binary, BindParam } from "../../sql/expression.ts"
import type { FunctionCall } from "../../sql/functions.ts"
import type { ForUpdate } from "../../sql/select.ts"
import { SqlType } from "../../sql/types.ts"
import { checkedValue } from "../../sql/value-checks.ts"
import { sqliteTimestamp } from "./codecs.ts"

/** Our timestamp text (./codecs.ts), in UTC to the millisecond, of what follows and a `)`. */
const STAMP = "strftime('%Y-%m-%d %H:%M:%f', "

const TYPE_NAMES: Partial<Record<SqlType<unknown>["kind"], string>> = {
  bigint: "INTEGER",
  float: "REAL",
  datetime: "DATETIME",
  // TEXT, not JSON: a column named JSON has numeric affinity and would turn the document "1.0" into 1.
  json: "TEXT",
  uuid: "CHAR(36)",
}

export class SqliteCompiler extends Compiler {
  /** `?` takes the next value: a value used twice is sent twice. */
  protected override placeholder(params: ParamSlot[], slot: ParamSlot): string {
    params.push(slot)
    return "?"
  }

  override literal(value: unknown, type: SqlType<unknown>): string {
    if (typeof value === "boolean") return value ? "1" : "0"
    if (value instanceof Date) return this.stringLiteral(sqliteTimestamp(value))
    return super.literal(value, type)
  }

  /** SQLite text may hold NUL: write it as `char(0)` between pieces quoted as the base quotes them. */
  protected override stringLiteral(text: string): string {
    return text
      .split("\u0000")
      .map((part) => super.stringLiteral(part))
      .join(" || char(0) || ")
  }

  /**
   * LIKE with PostgreSQL's escape, a backslash (SQLite's LIKE has none unless told): a pattern finds
   * the same rows on both ('50\\%' a literal '50%'). ILIKE is `lower(a) LIKE lower(b)`.
   */
  protected override visitBinary(node: Binary<unknown>): string {
    const { operator } = node
    const sql = operator.endsWith("ILIKE")
      ? `lower(${this.expression(node.left)}) ${operator.slice(0, -5)}LIKE lower(${this.expression(node.right)})`
      : super.visitBinary(node)
    return operator.endsWith("LIKE") ? `${sql} ESCAPE '\\'` : sql
  }

  override functionCall(node: FunctionCall<unknown>): string | undefined {
    return node.name === "now" && node.args.length === 0 ? `${STAMP}'now')` : undefined
  }

  protected override forUpdate(_options: ForUpdate): string {
    throw new UnsupportedCapabilityError(
      "SQLite has no FOR UPDATE (a write transaction locks the whole database); drop .forUpdate()",
    )
  }

  /** SQLite has OFFSET only after a LIMIT; -1 means no limit. */
  protected override limitOffset(
    limit: Parameters<Compiler["limitOffset"]>[0],
    offset: Parameters<Compiler["limitOffset"]>[1],
  ): string {
    return super.limitOffset(
      limit === undefined && offset !== undefined ? -1 : nonNegative("LIMIT", limit),
      nonNegative("OFFSET", offset),
    )
  }

  /** SQLite takes no parenthesized member in a UNION: it selects from the member as a subquery. */
  protected override groupedCompoundMember(sql: string): string {
    return `SELECT * FROM (${sql})`
  }

  override typeName(type: SqlType<unknown>): string {
    return TYPE_NAMES[type.kind] ?? super.typeName(type)
  }

  /**
   * Timestamps and dates are text here, and CAST AS DATETIME or DATE converts by NUMERIC affinity
   * ('2024-05-06 07:08:09' became 2024): a timestamp is our timestamp text of it (a day its midnight,
   * as PostgreSQL's cast of a date, which read as text alone was '0001-01-01' in 2001 and equal to no
   * timestamp), and a date is `date()` of it, the day alone, as PostgreSQL's cast of a timestamp to date.
   */
  override cast(sql: string, type: SqlType<unknown>): string {
    if (type.kind === "date") return `date(${sql})`
    return type.kind === "datetime" ? `${STAMP}${sql})` : super.cast(sql, type)
  }
}

/**
 * A LIMIT or OFFSET given by a bindparam(), checked when its value is: a negative one is no limit here
 * and an error on PostgreSQL, which this one is too, with PostgreSQL's words. (A number given to
 * limit() is checked as it is given: ../../sql/row-count.ts.)
 */
function nonNegative<C>(clause: string, count: C): C {
  if (!(count instanceof BindParam) || count.name === undefined) return count
  const type = count.type
  const check = (value: unknown) => {
    if ((value as number) < 0) throw new DataError(`${clause} must not be negative`)
    return checkedValue(value, type)
  }
  return new BindParam(undefined, new SqlType("numeric", {}, check), count.name) as C
}
