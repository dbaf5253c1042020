// What a one-statement load is made of (../orm/json-load.ts): the rows of a derived table as one JSON
// array of arrays, and a filter by the keys a derived table holds. Each dialect spells them (JSON
// aggregation, values kept exact, `= ANY(ARRAY(...))` on PostgreSQL); they render themselves, so
// that a bundle that never loads relationships need not carry them.
import type { Compiler } from "./compiler/compiler.ts"
import type { ExpressionCompiler } from "./compiler/expression-compiler.ts"
import { Expression, type Ordering, type SubqueryTarget } from "./expression.ts"
import { BooleanType, Json } from "./types.ts"

/** `json_agg(json_build_array(values...) ORDER BY ...)`: null or `[]` when there is no row. */
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
    return (compiler as Compiler).jsonRows(this.values, this.orderBy)
  }
}

/** `operand IN (keys)`, spelled as the dialect plans it best for a short list of keys. */
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
    return (compiler as Compiler).inKeys(this.operand, this.keys)
  }
}
