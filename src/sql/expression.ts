// Column expressions: a tree of frozen nodes, each with a `kind` the compiler dispatches on. Every
// expression carries its SQL type (for binding the values compared with it) and, as a phantom, its
// TypeScript value type, so `User.age.eq("x")` is a compile error and `select(User.age)` rows are numbers.
import { InvalidRequestError } from "../errors.ts"
import { BooleanType, Float, NullType, type SqlType, Text, typeOfValue } from "./types.ts"

/** A value or an expression of the same type; `null` is always allowed and means SQL NULL. */
export type Operand<T> = NonNullable<T> | null | Expression<NonNullable<T> | null>

/** The value an operand stands for: an expression's, or the plain value. */
export type OperandValue<O> = O extends Expression<infer V> ? V : O

/** `null` when either side of an operator may be NULL (SQL's NULL in, NULL out), else nothing. */
type NullIn<T, O> = Extract<T, null> | Extract<OperandValue<O>, null>

/** Anything that compiles to a SELECT (a select, a union): usable in IN, EXISTS and scalar subqueries. */
export interface SubqueryTarget {
  readonly kind: "select" | "compound_select"
}

export abstract class Expression<T> {
  /** Phantom: the TypeScript type of this expression's values. */
  declare readonly valueType: T
  abstract readonly kind: string
  abstract readonly type: SqlType<unknown>

  /** The direct sub-expressions, for walking the tree; nested selects are not included. */
  get children(): readonly Expression<unknown>[] {
    return []
  }

  /** `= other`; comparing with `null` renders `IS NULL`, as SQL's `= NULL` is never true. */
  eq(other: Operand<T>): Expression<boolean> {
    return other === null ? new Postfix(this, "IS NULL") : compare(this, "=", other)
  }
  /** `<> other`; with `null`, `IS NOT NULL`. */
  ne(other: Operand<T>): Expression<boolean> {
    return other === null ? new Postfix(this, "IS NOT NULL") : compare(this, "<>", other)
  }
  gt(other: Operand<T>): Expression<boolean> {
    return compare(this, ">", other)
  }
  ge(other: Operand<T>): Expression<boolean> {
    return compare(this, ">=", other)
  }
  lt(other: Operand<T>): Expression<boolean> {
    return compare(this, "<", other)
  }
  le(other: Operand<T>): Expression<boolean> {
    return compare(this, "<=", other)
  }
  like(this: Expression<string | null>, pattern: Operand<string>): Expression<boolean> {
    return compare(this, "LIKE", pattern)
  }
  notLike(this: Expression<string | null>, pattern: Operand<string>): Expression<boolean> {
    return compare(this, "NOT LIKE", pattern)
  }
  /** Case-insensitive LIKE: ILIKE on PostgreSQL, `lower(a) LIKE lower(b)` on SQLite. */
  ilike(this: Expression<string | null>, pattern: Operand<string>): Expression<boolean> {
    return compare(this, "ILIKE", pattern)
  }
  notIlike(this: Expression<string | null>, pattern: Operand<string>): Expression<boolean> {
    return compare(this, "NOT ILIKE", pattern)
  }
  /** `IN (...)`; an empty list is a defined, always-false condition, not a syntax error. */
  in(values: readonly Operand<T>[] | SubqueryTarget): Expression<boolean> {
    return new InList(this, inItems(this, values), false)
  }
  /** `NOT IN (...)`; an empty list is always true. */
  notIn(values: readonly Operand<T>[] | SubqueryTarget): Expression<boolean> {
    return new InList(this, inItems(this, values), true)
  }
  between(low: Operand<T>, high: Operand<T>): Expression<boolean> {
    return new Between(this, beside(this, low), beside(this, high), false)
  }
  notBetween(low: Operand<T>, high: Operand<T>): Expression<boolean> {
    return new Between(this, beside(this, low), beside(this, high), true)
  }
  isNull(): Expression<boolean> {
    return new Postfix(this, "IS NULL")
  }
  isNotNull(): Expression<boolean> {
    return new Postfix(this, "IS NOT NULL")
  }
  // Arithmetic, concatenation and CAST are NULL when an operand is: nullable in, nullable out. The
  // operand is of the left side's own value type: a Numeric's is decimal text (`balance.mul("1.1")`),
  // which TypeScript cannot tell from a String's.
  add<N extends number | bigint | string, O extends Operand<N>>(
    this: Expression<N | null>,
    other: O,
  ): Expression<N | NullIn<T, O>> {
    return arithmetic(this, "+", other)
  }
  sub<N extends number | bigint | string, O extends Operand<N>>(
    this: Expression<N | null>,
    other: O,
  ): Expression<N | NullIn<T, O>> {
    return arithmetic(this, "-", other)
  }
  mul<N extends number | bigint | string, O extends Operand<N>>(
    this: Expression<N | null>,
    other: O,
  ): Expression<N | NullIn<T, O>> {
    return arithmetic(this, "*", other)
  }
  div<N extends number | bigint | string, O extends Operand<N>>(
    this: Expression<N | null>,
    other: O,
  ): Expression<N | NullIn<T, O>> {
    return arithmetic(this, "/", other)
  }
  mod<N extends number | bigint | string, O extends Operand<N>>(
    this: Expression<N | null>,
    other: O,
  ): Expression<N | NullIn<T, O>> {
    return arithmetic(this, "%", other)
  }
  /** String concatenation, `a || b` on both dialects. */
  concat<O extends Operand<string>>(
    this: Expression<string | null>,
    other: O,
  ): Expression<string | NullIn<T, O>> {
    return new Binary(this, "||", asExpression(other, Text), Text)
  }
  asc(): Ordering {
    return new Ordering(this, "ASC")
  }
  desc(): Ordering {
    return new Ordering(this, "DESC")
  }
  /** Names this expression in a select list: `expr AS name`. */
  label<const N extends string>(name: N): Label<T, N> {
    return new Label(this, name)
  }
  /** `CAST(expr AS type)`: NULL stays NULL. */
  cast<U>(type: SqlType<U>): Expression<U | Extract<T, null>> {
    return new Cast<U | Extract<T, null>>(this, type as SqlType<U | Extract<T, null>>)
  }
}

/** A predicate or value the caller wrote as a plain JS value: bound as a parameter, never inlined. */
export class BindParam<T> extends Expression<T> {
  readonly kind = "bind"
  constructor(
    readonly value: T | undefined,
    readonly type: SqlType<unknown>,
    /** Set for `bindparam("name")`: the value is supplied when the statement runs. */
    readonly name?: string,
  ) {
    super()
    Object.freeze(this)
  }
}

/** A fragment of SQL written by hand (`literalColumn("now()")`): inlined as is, never escaped. */
export class RawSql<T> extends Expression<T> {
  readonly kind = "raw"
  constructor(
    readonly sql: string,
    readonly type: SqlType<unknown>,
  ) {
    super()
    Object.freeze(this)
  }
}

export class Binary<T> extends Expression<T> {
  readonly kind = "binary"
  constructor(
    readonly left: Expression<unknown>,
    readonly operator: string,
    readonly right: Expression<unknown>,
    readonly type: SqlType<unknown>,
  ) {
    super()
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return [this.left, this.right]
  }
}

/** `operand IS NULL`, `operand IS NOT NULL`. */
export class Postfix extends Expression<boolean> {
  readonly kind = "postfix"
  readonly type = BooleanType
  constructor(
    readonly operand: Expression<unknown>,
    readonly operator: "IS NULL" | "IS NOT NULL",
  ) {
    super()
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return [this.operand]
  }
}

export class Not extends Expression<boolean> {
  readonly kind = "not"
  readonly type = BooleanType
  constructor(readonly operand: Expression<unknown>) {
    super()
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return [this.operand]
  }
}

/** AND / OR over any number of conditions; an empty AND is true, an empty OR false. */
export class BooleanList extends Expression<boolean> {
  readonly kind = "boolean_list"
  readonly type = BooleanType
  constructor(
    readonly operator: "AND" | "OR",
    readonly items: readonly Expression<unknown>[],
  ) {
    super()
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return this.items
  }
}

export class InList extends Expression<boolean> {
  readonly kind = "in_list"
  readonly type = BooleanType
  constructor(
    readonly operand: Expression<unknown>,
    readonly items: readonly Expression<unknown>[] | SubqueryTarget,
    readonly negated: boolean,
  ) {
    super()
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return Array.isArray(this.items) ? [this.operand, ...this.items] : [this.operand]
  }
}

export class Between extends Expression<boolean> {
  readonly kind = "between"
  readonly type = BooleanType
  constructor(
    readonly operand: Expression<unknown>,
    readonly low: Expression<unknown>,
    readonly high: Expression<unknown>,
    readonly negated: boolean,
  ) {
    super()
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return [this.operand, this.low, this.high]
  }
}

export class Cast<T> extends Expression<T> {
  readonly kind = "cast"
  constructor(
    readonly operand: Expression<unknown>,
    readonly type: SqlType<T>,
  ) {
    super()
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return [this.operand]
  }
}

export class Label<T, N extends string = string> extends Expression<T> {
  readonly kind = "label"
  // Declared, not defined: the constructor sets it, and field definitions would be bytes in every bundle.
  declare readonly type: SqlType<unknown>
  constructor(
    readonly operand: Expression<T>,
    readonly name: N,
  ) {
    super()
    this.type = operand.type
    Object.freeze(this)
  }

  override get children(): readonly Expression<unknown>[] {
    return [this.operand]
  }
}

export type NullsOrder = "NULLS FIRST" | "NULLS LAST"

/**
 * An ORDER BY item. Not an expression: it can only be ordered by. NULLs come as each database puts them
 * (SQLAlchemy passes ORDER BY through): last in ascending order on PostgreSQL, first on SQLite, and the
 * other way round in descending order; `.nullsFirst()` or `.nullsLast()` orders them the same on both.
 */
export class Ordering {
  readonly kind = "ordering"
  constructor(
    readonly operand: Expression<unknown>,
    readonly direction: "ASC" | "DESC",
    readonly nulls?: NullsOrder,
  ) {
    Object.freeze(this)
  }
  nullsFirst(): Ordering {
    return new Ordering(this.operand, this.direction, "NULLS FIRST")
  }
  nullsLast(): Ordering {
    return new Ordering(this.operand, this.direction, "NULLS LAST")
  }
}

/**
 * SQLAlchemy's desc(), asc(), nulls_first() and nulls_last() as functions: `orderBy(desc(Post.createdAt))`
 * is `orderBy(Post.createdAt.desc())`, `nullsLast(desc(User.age))` is `User.age.desc().nullsLast()`.
 * Anything but an expression is refused, as the methods' `orderBy()` refuses it.
 */
export function desc(expression: Expression<unknown>): Ordering {
  return expressionOf(expression).desc()
}
export function asc(expression: Expression<unknown>): Ordering {
  return expressionOf(expression).asc()
}
export function nullsFirst(item: Ordering | Expression<unknown>): Ordering {
  return asOrdering(item).nullsFirst()
}
export function nullsLast(item: Ordering | Expression<unknown>): Ordering {
  return asOrdering(item).nullsLast()
}

/** An ORDER BY item: an expression alone is in ascending order; SQL in a string is refused (a UNION's). */
export function asOrdering(item: Ordering | Expression<unknown>): Ordering {
  return item instanceof Ordering ? item : new Ordering(expressionOf(item), "ASC")
}

/** `node` if it is an expression; else refused (see refuseArgument). */
export function expressionOf<T>(node: T): T {
  return node instanceof Expression ? node : refuseArgument(node)
}

/**
 * Refuses an argument of the wrong kind, naming what each method takes. SQL in a string
 * (`where("id = 1")`) or a boolean failed deep in the compiler with a TypeError; a loader option given
 * as a string was ignored. Undefined (`eq(undefined)`: a missing request field) was bound as NULL and
 * silently matched nothing; SQL's NULL is null.
 */
export function refuseArgument(value: unknown): never {
  throw new InvalidRequestError(
    `Cannot use ${typeof value === "string" ? `"${value}"` : value}: build expressions from columns (literalColumn("...") for SQL), use [...] for in(), selectinload(...) for options(), null for NULL`,
  )
}

/** Turns a JS value into a bind parameter typed like the expression it meets. */
export function asExpression<T>(value: Operand<T> | T, type: SqlType<unknown>): Expression<T> {
  if (value instanceof Expression) return value as Expression<T>
  if (value === undefined) refuseArgument(value)
  return new BindParam(value as T, value === null ? NullType : type)
}

/** A standalone value as a bind parameter, typed from the value: `literal(5)`, `literal("x")`. */
export function literal<T>(value: T, type?: SqlType<T>): Expression<T> {
  // undefined (a missing request field) was bound as NULL, as a comparison's was (see asExpression).
  if (value === undefined) refuseArgument(value)
  return new BindParam(value, type ?? typeOfValue(value))
}

/** A named parameter whose value is given when the statement runs: `bindparam("name", Text)`. */
export function bindparam<T>(name: string, type: SqlType<T>): Expression<T> {
  return new BindParam<T>(undefined, type, name)
}

/** Raw SQL used as a column expression, inlined as written: `literalColumn("now()", DateTime)`. */
export function literalColumn<T = unknown>(
  sql: string,
  type: SqlType<T> = NullType as SqlType<T>,
): Expression<T> {
  return new RawSql<T>(withoutNul(sql), type)
}

/**
 * Raw SQL (`text()`, `literalColumn()`) as given, refused if it holds a NUL (U+0000): SQLite reads a
 * statement only up to it (`DELETE ... WHERE a = 1\0 AND b = 2` deleted by `a` alone, on every transport)
 * and PostgreSQL's protocol ends the text there (a broken message, taken for a lost connection).
 */
export function withoutNul(sql: string): string {
  if (sql.includes("\u0000")) {
    throw new InvalidRequestError(
      "SQL text cannot hold a NUL (U+0000): it would end the statement there; bind the value instead",
    )
  }
  return sql
}

/** All conditions; `and()` of nothing is true. */
export function and(...conditions: (Expression<boolean | null> | undefined)[]): Expression<boolean> {
  return booleanList("AND", conditions)
}

/** Any condition; `or()` of nothing is false. */
export function or(...conditions: (Expression<boolean | null> | undefined)[]): Expression<boolean> {
  return booleanList("OR", conditions)
}

export function not(condition: Expression<boolean | null>): Expression<boolean> {
  return new Not(condition)
}

function booleanList(
  operator: "AND" | "OR",
  conditions: (Expression<unknown> | undefined)[],
): Expression<boolean> {
  const items = conditions.filter((c): c is Expression<unknown> => c !== undefined)
  return items.length === 1 ? (items[0] as Expression<boolean>) : new BooleanList(operator, items)
}

/**
 * A value beside `left`, bound with its type; a fraction beside an integer as a Float, compared and
 * computed as given, as SQLAlchemy does (bound as the Integer, `stars.gt(3.5)` was refused).
 */
function beside<T>(left: Expression<unknown>, value: Operand<T>): Expression<T> {
  return asExpression(
    value,
    typeof value === "number" && value % 1 && left.type.isInteger ? Float : left.type,
  )
}

function compare<T>(left: Expression<T>, operator: string, right: Operand<T>): Expression<boolean> {
  return new Binary(left, operator, beside(left, right), BooleanType)
}

/**
 * Typed as the left operand, or as a Float on the right: the database computes in doubles then (SQLite's
 * REAL), and `count / weight` is one, as in SQLAlchemy, not an integer.
 */
function arithmetic<R>(left: Expression<unknown>, operator: string, right: unknown): Expression<R> {
  const other = beside(left, right as Operand<unknown>)
  return new Binary<R>(left, operator, other, other.type.kind === "float" ? other.type : left.type)
}

function inItems<T>(
  operand: Expression<T>,
  values: readonly Operand<T>[] | SubqueryTarget,
): readonly Expression<unknown>[] | SubqueryTarget {
  if (!Array.isArray(values)) {
    // A select() (or a union); a string, a number or a Set failed in the compiler with a TypeError.
    return (values as Partial<SubqueryTarget>)?.kind ? (values as SubqueryTarget) : refuseArgument(values)
  }
  return Object.freeze(values.map((value) => asExpression(value, operand.type)))
}
