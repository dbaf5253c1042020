// `CASE WHEN ... THEN ... ELSE ... END`.
import type { ExpressionCompiler } from "./compiler/expression-compiler.ts"
import { asExpression, Expression } from "./expression.ts"
import { Float, NullType, type SqlType, typeOfValue } from "./types.ts"

/** One `WHEN condition THEN result` (not `{when, then}`: an object with `then` passes for a promise). */
export interface When {
  readonly condition: Expression<unknown>
  readonly result: Expression<unknown>
}

export class Case<T> extends Expression<T> {
  readonly kind = "case"
  /** Parenthesized as the operand of an operator: `(CASE ... END) = 1`. */
  readonly compound = true

  constructor(
    readonly whens: readonly When[],
    readonly otherwise: Expression<unknown> | undefined,
    /** Decoded as its results are (`resultType`, of the values as given). */
    readonly type: SqlType<unknown>,
  ) {
    super()
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

/** A result's value: a column's or expression's, or the plain value itself. */
type ResultValue<R> = R extends Expression<infer V> ? V : R

/**
 * `caseWhen([[User.age.lt(18), "minor"], [User.age.lt(65), "adult"]], "senior")`: the first true
 * condition's value, else the fallback (NULL when none is given, so the type then includes null). Plain
 * values are bound with the type of the first column or expression among the results (a Numeric's `0`
 * as a Numeric), and the whole reads back as that type.
 */
export function caseWhen<R>(
  whens: readonly (readonly [Expression<boolean | null>, R])[],
): Expression<ResultValue<R> | null>
export function caseWhen<R, O>(
  whens: readonly (readonly [Expression<boolean | null>, R])[],
  otherwise: O,
): Expression<ResultValue<R> | ResultValue<O>>
export function caseWhen(
  whens: readonly (readonly [Expression<boolean | null>, unknown])[],
  otherwise?: unknown,
): Expression<unknown> {
  const given = [...whens.map(([, result]) => result), ...(otherwise === undefined ? [] : [otherwise])]
  const type = resultType(given)
  // PostgreSQL types a CASE of parameters alone as text (`sum(CASE WHEN ... THEN $1 ELSE $2 END)` has
  // no sum(text)): then the first value says its type, `CAST($1 AS INTEGER)`.
  let typed = given.some((result) => result instanceof Expression)
  const bind = (result: unknown) => {
    const expression = asExpression(result, type)
    if (typed || result === null) return expression
    typed = true
    return expression.cast(type)
  }
  const items = whens.map(([condition, result]) => ({ condition, result: bind(result) }))
  return new Case(Object.freeze(items), otherwise === undefined ? undefined : bind(otherwise), type)
}

/**
 * The type of the first result that has one: an expression's, else a plain value's; NULL if all are (a
 * NULL result, often the first, says nothing of the others). A fraction among integers makes it a
 * Float, as the databases compute it: read from the results as given, before they are bound.
 */
function resultType(results: readonly unknown[]): SqlType<unknown> {
  const typed = results.map((r) => (r instanceof Expression ? r.type : typeOfValue(r)))
  const expressions = results.flatMap((r, i) =>
    r instanceof Expression && typed[i] !== NullType ? [typed[i]] : [],
  )
  const type = expressions[0] ?? typed.find((t) => t !== NullType) ?? NullType
  return type.isInteger && results.some((r) => typeof r === "number" && r % 1) ? Float : type
}
