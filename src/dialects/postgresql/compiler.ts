// PostgreSQL: `$n` placeholders (typed where text would not do), ILIKE, identity columns, bytea and
// boolean literals. Everything else is the base compiler's, which quotes every name: no keyword list to
// carry, and none that a later PostgreSQL (as 16 did with system_user) can make stale.

import { Compiler } from "../../sql/compiler/compiler.ts"
import type { ParamSlot } from "../../sql/compiler/expression-compiler.ts"
import type { SqlType } from "../../sql/types.ts"
import { postgresString } from "../../util/postgres-string.ts"
import { byteaHex } from "./codecs.ts"

const TYPE_NAMES: Partial<Record<SqlType<unknown>["kind"], string>> = {
  float: "DOUBLE PRECISION",
  json: "JSONB",
  binary: "BYTEA",
}

/**
 * Parameters go as text, which PostgreSQL reads as the type their place asks for; where nothing asks
 * (a select list, a function's arguments), as text. These types then read back as text (a document as
 * its JSON, bytes as `\x...` hex) or fit no function (`extract(epoch FROM $1)`), so they say their type.
 * A value written to a column needs no cast: the column gives the type.
 */
const PARAM_CASTS: Partial<Record<SqlType<unknown>["kind"], string>> = {
  json: "::jsonb",
  binary: "::bytea",
  datetime: "::timestamptz",
  // Untyped, `age / $1` with 2.0 divides as integers; a Float is a double wherever it goes.
  float: "::float8",
}

export class PostgresCompiler extends Compiler {
  readonly #numbers = new Map<ParamSlot, number>()

  /**
   * A value used twice is one `$n`: PostgreSQL matches `GROUP BY $1 + qty` to the select list's
   * `$1 + qty` only then (as SQLAlchemy with asyncpg renders it).
   */
  protected override placeholder(params: ParamSlot[], slot: ParamSlot): string {
    // By a map, not params.indexOf: an IN list or a multi-row INSERT of 30,000 values would take
    // quadratic time. Checked against `params`, the list being numbered now.
    let n = this.#numbers.get(slot)
    if (n === undefined || params[n - 1] !== slot) {
      n = params.push(slot)
      this.#numbers.set(slot, n)
    }
    // A select item that is a value (`select(literal(10).label("ten"))`) is text to PostgreSQL, and so is
    // the column of a subquery or CTE that selects it: `ten > 5` compared text ('10' < '5'). A whole
    // number says its type. (Others there fail aloud: `flag = true` compares text with a boolean.)
    const cast = slot.alone && slot.type.isInteger ? `::${this.typeName(slot.type)}` : ""
    return `$${n}${slot.column ? "" : (PARAM_CASTS[slot.type.kind] ?? cast)}`
  }

  override literal(value: unknown, type: SqlType<unknown>): string {
    if (value instanceof Uint8Array) return `${postgresString(byteaHex(value))}::bytea`
    return super.literal(value, type)
  }

  /** Whatever `standard_conforming_strings` says, a backslash stays a backslash. */
  protected override stringLiteral(text: string): string {
    const plain = super.stringLiteral(text)
    return text.includes("\\") ? postgresString(text) : plain
  }

  override typeName(type: SqlType<unknown>): string {
    return TYPE_NAMES[type.kind] ?? super.typeName(type)
  }
}
