// `CASE WHEN ... THEN ... ELSE ... END`.
import type { ExpressionCompiler } from "./compiler/expression-compiler.ts"
import { asExpression, Expression, type Operand } from "./expression.ts"
import { NullType, type SqlType, typeOfValue } from "./types.ts"

/** One `WHEN condition THEN result` (not `{when, then}`: an object with `then` passes for a promise). */
export interface When {
  readonly condition: Expression<unknown>
  readonly result: Expression<unknown>
}

export class Case<T> extends Expression<T> {
  readonly kind = "case"
  /** Parenthesized as the operand of an operator: `(CASE ... END) = 1`. */
  readonly compound = true
  readonly type: SqlType<unknown>

  constructor(
    readonly whens: readonly When[],
    readonly otherwise: Expression<unknown> | undefined,
  ) {
    super()
    this.type = whens[0]?.result.type ?? otherwise?.type ?? NullType
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return [
      ...this.whens.flatMap((w) => [w.condition, w.result]),
      ...(this.otherwise ? [this.otherwise] : []),
    ]
  }

  renderWith(compiler: ExpressionCompiler): string {
    const whens = this.whens.map(
      (w) => `WHEN ${compiler.expression(w.condition)} THEN ${compiler.expression(w.result)}`,
    )
    const otherwise = this.otherwise ? ` ELSE ${compiler.expression(this.otherwise)}` : ""
    return `CASE ${whens.join(" ")}${otherwise} END`
  }
}

/**
 * `caseWhen([[User.age.lt(18), "minor"], [User.age.lt(65), "adult"]], "senior")`: the first true
 * condition's value, else the fallback (NULL when none is given, so the type then includes null).
 */
export function caseWhen<T>(
  whens: readonly (readonly [Expression<boolean | null>, Operand<T> | T])[],
  otherwise?: Operand<T> | T,
): Expression<T> {
  const typed = whens.map(([condition, result]) => ({
    condition,
    result: asExpression(result, typeOfValue(result)),
  }))
  const fallback = otherwise === undefined ? undefined : asExpression(otherwise, typeOfValue(otherwise))
  return new Case<T>(Object.freeze(typed), fallback)
}
