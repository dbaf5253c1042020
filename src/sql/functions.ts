// SQL functions: `func.count(User.id)`, `func.lower(User.email)`, and any other name passes through
// (`func.json_extract(...)`) typed as unknown. Also `distinct(expr)` for `count(DISTINCT x)`.
import { InvalidRequestError } from "../errors.ts"
import type { ExpressionCompiler } from "./compiler/expression-compiler.ts"
import { asExpression, Expression, type Operand, type OperandValue } from "./expression.ts"
import { DateTime, Float, Integer, NullType, type SqlType, Text, typeOfValue } from "./types.ts"

/** `null` unless one of the operands cannot be NULL: then COALESCE never is. */
type NullUnlessOne<F> = F extends readonly [infer First, ...infer Rest]
  ? null extends OperandValue<First>
    ? NullUnlessOne<Rest>
    : never
  : null

export class FunctionCall<T> extends Expression<T> {
  readonly kind = "function"
  constructor(
    readonly name: string,
    readonly args: readonly Expression<unknown>[],
    readonly type: SqlType<unknown>,
  ) {
    super()
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return this.args
  }

  /** Rendered by itself, so that a bundle that calls no SQL function carries none of this. */
  renderWith(compiler: ExpressionCompiler): string {
    if (!FUNCTION_NAME.test(this.name)) {
      throw new InvalidRequestError(`"${this.name}" is not a valid SQL function name`)
    }
    return (
      compiler.functionCall?.(this) ??
      `${this.name}(${this.args.map((arg) => compiler.expression(arg)).join(", ")})`
    )
  }
}

const FUNCTION_NAME = /^[a-z_]\w*(\.[a-z_]\w*)?$/i

/** `DISTINCT expr`, for aggregate arguments: `func.count(distinct(Post.userId))`. */
export class Distinct<T> extends Expression<T> {
  readonly kind = "distinct"
  readonly type: SqlType<unknown>
  constructor(readonly operand: Expression<T>) {
    super()
    this.type = operand.type
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return [this.operand]
  }

  renderWith(compiler: ExpressionCompiler): string {
    return `DISTINCT ${compiler.expression(this.operand)}`
  }
}

export function distinct<T>(expression: Expression<T>): Expression<T> {
  return new Distinct(expression)
}

/** `*`, as in `count(*)`. */
export class Star extends Expression<never> {
  readonly kind = "star"
  readonly type = NullType
  constructor() {
    super()
    Object.freeze(this)
  }

  renderWith(): string {
    return "*"
  }
}

type Numeric = number | bigint | string

const call = <T>(name: string, type: SqlType<unknown>, args: readonly Expression<unknown>[]) =>
  new FunctionCall<T>(name, Object.freeze([...args]), type)

/**
 * `count(*)`, or `count(expr)` of non-null values: `func.count`, importable alone so that a module
 * that needs only a count does not keep all of `func` in a bundle.
 */
export function count(expression?: Expression<unknown>): Expression<number> {
  return call("count", Integer, [expression ?? new Star()])
}

const typed = {
  /** `count(*)`, or `count(expr)` of non-null values. A number, never null. */
  count,
  sum: <N extends Numeric>(expression: Expression<N | null>): Expression<N | null> =>
    call("sum", expression.type, [expression]),
  /** The mean as a float (PostgreSQL's numeric result is read as a number too). */
  avg: (expression: Expression<Numeric | null>): Expression<number | null> =>
    call("avg", Float, [expression]),
  min: <T>(expression: Expression<T>): Expression<T | null> => call("min", expression.type, [expression]),
  max: <T>(expression: Expression<T>): Expression<T | null> => call("max", expression.type, [expression]),
  /** The first value that is not NULL; NULL itself only when every fallback may be. */
  coalesce: <T, const F extends readonly Operand<T>[]>(
    expression: Expression<T>,
    ...fallbacks: F
  ): Expression<null extends T ? NonNullable<T> | NullUnlessOne<F> : T> =>
    call("coalesce", expression.type, [
      expression,
      ...fallbacks.map((f) => asExpression(f, expression.type)),
    ]),
  /** `lower(x)`; a plain string is bound as a parameter. */
  lower: <S extends string | null>(expression: Expression<S> | S): Expression<S> =>
    call("lower", Text, [asExpression(expression, Text)]),
  upper: <S extends string | null>(expression: Expression<S> | S): Expression<S> =>
    call("upper", Text, [asExpression(expression, Text)]),
  length: <S extends string | null>(
    expression: Expression<S> | S,
  ): Expression<S extends null ? number | null : number> =>
    call("length", Integer, [asExpression(expression, Text)]),
  /** The current timestamp: `now()` on PostgreSQL, SQLite's `strftime(...)` in UTC with milliseconds. */
  now: (): Expression<Date> => call("now", DateTime, []),
  /**
   * Concatenation of strings, treating NULL as empty. A value (plain or `literal()`) is cast to text:
   * PostgreSQL's concat() takes any type, so a bare parameter's cannot be determined.
   */
  concat: (...parts: Operand<string>[]): Expression<string> =>
    call(
      "concat",
      Text,
      parts.map((p) => (p instanceof Expression && p.kind !== "bind" ? p : asExpression(p, Text).cast(Text))),
    ),
}

type AnyFunction = (
  ...args: (Expression<unknown> | string | number | bigint | boolean | null)[]
) => Expression<unknown>

/**
 * Frequent functions whose result type depends on their use; named so that `func.round(x)` is not
 * possibly undefined under `noUncheckedIndexedAccess`. Cast the result: `func.round(x).cast(Float)`.
 */
type Untyped = Record<
  | "abs"
  | "round"
  | "random"
  | "nullif"
  | "substr"
  | "trim"
  | "replace"
  | "strftime"
  | "date_trunc"
  | "json_extract"
  | "json_agg"
  | "json_group_array"
  | "array_agg"
  | "string_agg"
  | "group_concat",
  AnyFunction
>

type Functions = typeof typed & Untyped & { readonly [name: string]: AnyFunction }

/** SQL functions. Typed for the common ones; any other name renders as a call typed `unknown`. */
// Pure: a bundle that never uses `func` drops it, with the function nodes it would build.
export const func: Functions = /* @__PURE__ */ new Proxy(typed, {
  get(target, name) {
    if (typeof name !== "string") return undefined
    if (name in target) return target[name as keyof typeof typed]
    return (...args: unknown[]) =>
      call(
        name,
        NullType,
        args.map((arg) => asExpression(arg, typeOfValue(arg))),
      )
  },
}) as Functions
