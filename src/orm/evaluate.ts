// Evaluates a Core expression against an object in memory, as SQLAlchemy's evaluator does: how a
// hybrid property computes its value on an instance from its one SQL definition, and how a bulk UPDATE
// or DELETE with `synchronizeSession: "evaluate"` finds the objects in the session it touched.
// SQL's three-valued logic is kept: `null` is UNKNOWN, and a WHERE matches only on `true`.
// What has no faithful in-memory meaning (LIKE's collations, subqueries, other tables' columns)
// is refused up front with Unevaluable, so callers can fall back to asking the database; so are, when
// they come, values that leave the answer undecided (a division by zero, a stored timestamp equal to
// the millisecond).
import type { Binary, BooleanList, Cast, InList, Postfix } from "../sql/expression.ts"
import { Expression } from "../sql/expression.ts"
import type { FunctionCall } from "../sql/functions.ts"
import type { Column } from "../sql/schema/column.ts"
import type { Table } from "../sql/schema/table.ts"
import type { TypeKind } from "../sql/types.ts"

/** A value of an object computed from its column values. */
export type Evaluator = (values: Readonly<Record<string, unknown>>) => unknown

/** The expression uses something that cannot be computed in memory. */
export class Unevaluable extends Error {}

/** A column an object with a row does not know (a reference's): its value is unknown, not NULL. */
export class UnknownColumn extends Unevaluable {}

/**
 * The values of an object that has a database row, for evaluating: a column missing from them (one a
 * reference was not given) is unknown, and is refused rather than read as NULL.
 */
export function rowValues(values: Readonly<Record<string, unknown>>, name: string): Record<string, unknown> {
  return new Proxy(values as Record<string, unknown>, {
    get(target, key) {
      if (typeof key === "string" && !(key in target)) throw new UnknownColumn(`${name}.${key} is not loaded`)
      return target[key as string]
    },
  })
}

const COMPARE: Record<string, (a: never, b: never) => boolean> = {
  "=": (a, b) => a === b || sameInstant(a, b),
  "<>": (a, b) => !(a === b || sameInstant(a, b)),
  "<": (a, b) => a < b,
  ">": (a, b) => a > b,
  "<=": (a, b) => a <= b,
  ">=": (a, b) => a >= b,
}

const ARITHMETIC: Record<string, (a: never, b: never) => unknown> = {
  "+": (a, b) => (a as number) + (b as number),
  "-": (a, b) => (a as number) - (b as number),
  "*": (a, b) => (a as number) * (b as number),
  "%": (a, b) => (a as number) % (b as number),
}

/** Types whose JavaScript values do not compare or compute as the database's do. */
const INCOMPARABLE = new Set(["numeric", "json", "uuid", "binary"])
/** Types whose order is the database's collation (PostgreSQL's is often not code-point order). */
const COLLATED = new Set(["string", "text", "enum"])
const ORDERING = new Set(["<", ">", "<=", ">="])
const TEXT_ORDER = "text order is the database's collation, not JavaScript's"
const READ_BACK = new Set(["numeric", "json"])
/**
 * Types that JavaScript writes as text as both databases do, for `||`. Not a double (0.30000000000000004
 * is "0.3" on SQLite, 1e-7 "1e-07" on PostgreSQL), a boolean ("1" on SQLite), a date, bytes or JSON.
 */
const CONCATENATED = new Set(["string", "text", "enum", "integer", "smallint", "bigint", "null"])
const READ_BACK_FORM = "a Numeric or a JSON document reads back in the database's form"

/** Refuses operands whose JavaScript values do not compare as the database's (`"1.50"` is `"1.5"`). */
function comparable(operands: readonly Expression<unknown>[]): void {
  const kind = operands.find((operand) => INCOMPARABLE.has(operand.type.kind))?.type.kind
  if (kind) throw new Unevaluable(`${kind} values do not compare or compute in memory as in SQL`)
}

/** A computed value, refused beyond `limit` either way (a double's overflow, NaN included). */
function inRange<T>(value: T, limit = Number.POSITIVE_INFINITY): T {
  const n = typeof value === "number" || typeof value === "bigint" ? Number(value) : 0
  if (Number.isFinite(n) && n >= -limit && n < limit) return value
  throw new Unevaluable("the result is beyond its type's range (PostgreSQL refuses it, SQLite overflows)")
}

/** PostgreSQL raises an underflow where a product or quotient of doubles other than 0 is 0. */
function noUnderflow<T>(result: T, a: unknown, b: unknown): T {
  if (result === 0 && Number(a) !== 0 && Number(b) !== 0)
    throw new Unevaluable("a double's underflow to 0 is an error on PostgreSQL")
  return result
}

/**
 * The integer kinds' ranges: PostgreSQL refuses a result beyond its operands' widest type (`integer out
 * of range`) where SQLite computes on in 64 bits, so memory answers only within it. 2 ** 15, 2 ** 31 and
 * 2 ** 63, spelled as literals: esbuild keeps a module-level `**` in every bundle that imports this module.
 */
const INTEGER_LIMITS: Partial<Record<TypeKind, number>> = {
  smallint: 0x8000,
  integer: 0x80000000,
  bigint: 0x8000000000000000,
}

const FUNCTIONS: Record<string, (args: unknown[]) => unknown> = {
  lower: ([s]) => ascii(s as string, "lower").toLowerCase(),
  upper: ([s]) => ascii(s as string, "upper").toUpperCase(),
  // Characters, as SQL counts them, not UTF-16 units.
  length: ([s]) => [...(s as string)].length,
  abs: ([n]) => (typeof n === "bigint" ? (n < 0n ? -n : n) : Math.abs(n as number)),
}

/** SQLite's lower()/upper() change ASCII letters only, PostgreSQL's all of them: agree on ASCII alone. */
function ascii(text: string, name: string): string {
  if (/[^ -~\t\n\r]/.test(text))
    throw new Unevaluable(`${name}() of non-ASCII text differs between databases`)
  return text
}

/** What an expression is evaluated against. */
interface Scope {
  /** The table whose columns the values are of. */
  readonly table: Table
  /**
   * Whether the result must be the database's answer for the row the values were read from (bulk
   * synchronization), rather than the answer for the values themselves (a hybrid on an instance).
   */
  readonly asStored: boolean
}

/**
 * Compiles `expression` into a function of an object's values; columns must belong to `table`.
 * `asStored`: answer as the database would for the row the values were read from, refusing what
 * those values do not tell (see `compare`).
 */
export function evaluator(expression: Expression<unknown>, table: Table, asStored = false): Evaluator {
  return build(expression, { table, asStored })
}

function build(expression: Expression<unknown>, scope: Scope): Evaluator {
  const { table } = scope
  switch (expression.kind) {
    case "column": {
      const column = expression as Column<unknown>
      if (column.parent !== table) throw new Unevaluable(`${column.name} is not a column of ${table.name}`)
      return (values) => values[column.key] ?? null
    }
    case "bind": {
      // A Numeric reads back in the database's spelling ("1.5" from a Numeric(10, 2) is "1.50"), a
      // document as its JSON in jsonb's key order.
      if (READ_BACK.has(expression.type.kind)) throw new Unevaluable(READ_BACK_FORM)
      const given = (expression as unknown as { value: unknown }).value ?? null
      // A BigInteger's number (`big.add(1)`) is a bigint, as the database reads it back.
      const value =
        expression.type.kind === "bigint" && Number.isSafeInteger(given) ? BigInt(given as number) : given
      return () => value
    }
    case "label":
      return build((expression as unknown as { operand: Expression<unknown> }).operand, scope)
    case "cast":
      return cast(expression as Cast<unknown>, scope)
    case "binary":
      return binary(expression as Binary<unknown>, scope)
    case "postfix": {
      const operand = build((expression as Postfix).operand, scope)
      const wantNull = (expression as Postfix).operator === "IS NULL"
      return (values) => (operand(values) === null) === wantNull
    }
    case "not": {
      const operand = build((expression as unknown as { operand: Expression<unknown> }).operand, scope)
      return (values) => {
        const value = operand(values)
        return value === null ? null : !value
      }
    }
    case "boolean_list":
      return booleanList(expression as BooleanList, scope)
    case "in_list":
      return inList(expression as InList, scope)
    case "between": {
      const { operand, low, high, negated } = expression as unknown as Record<string, Expression<unknown>>
      if (COLLATED.has((operand as Expression<unknown>).type.kind)) throw new Unevaluable(TEXT_ORDER)
      comparable(expression.children)
      const value = build(operand as Expression<unknown>, scope)
      const ge = compare(">=", value, build(low as never, scope), scope)
      const le = compare("<=", value, build(high as never, scope), scope)
      const both = and3([ge, le])
      return negated ? (values) => not3(both(values)) : both
    }
    case "function":
      return call(expression as FunctionCall<unknown>, scope)
    default:
      throw new Unevaluable(`a "${expression.kind}" expression cannot be evaluated in memory`)
  }
}

/**
 * Whether a WHERE condition holds for the row an object's values were read from: `true` only, as in
 * SQL. The database's answer for that row, so what the values do not tell of it is refused.
 */
export function matches(conditions: readonly Expression<unknown>[], table: Table): Evaluator {
  const all = and3(conditions.map((condition) => build(condition, { table, asStored: true })))
  return (values) => all(values) === true
}

function binary(node: Binary<unknown>, scope: Scope): Evaluator {
  const left = build(node.left, scope)
  const right = build(node.right, scope)
  if (node.operator === "||") {
    const kind = node.children.find((operand) => !CONCATENATED.has(operand.type.kind))?.type.kind
    if (kind) throw new Unevaluable(`each database writes a ${kind} as text in its own way`)
    return nullSafe(left, right, (a, b) => `${a}${b}`)
  }
  comparable(node.children)
  if (
    ORDERING.has(node.operator) &&
    (COLLATED.has(node.left.type.kind) || COLLATED.has(node.right.type.kind))
  ) {
    throw new Unevaluable(TEXT_ORDER)
  }
  if (node.operator in COMPARE) return compare(node.operator, left, right, scope)
  const integer = node.left.type.isInteger && node.right.type.isInteger
  // A parameter takes the other side's type on PostgreSQL (its own is not sent): `$1 - small` is smallint.
  const typed = [node.left, node.right].filter((side) => side.kind !== "bind")
  const limit = integer
    ? Math.max(
        ...(typed.length > 0 ? typed : [node.left, node.right]).map(
          (side) => INTEGER_LIMITS[side.type.kind] ?? 0,
        ),
      )
    : undefined
  if (node.operator === "/" || node.operator === "%") {
    // SQL divides integers as integers only when both sides are integers (bigint `/` truncates itself);
    // an untyped side (a function's) is an integer or not as the database types it.
    if (node.left.type.kind === "null" || node.right.type.kind === "null")
      throw new Unevaluable("an untyped operand divides as the database types it")
    // SQLite's % takes both sides as integers (7.5 % 2 is 1), PostgreSQL has no % of doubles.
    if (!integer && node.operator === "%")
      throw new Unevaluable("% of a non-integer differs between databases")
    const divide = node.operator === "%" ? (ARITHMETIC["%"] as (a: number, b: number) => number) : undefined
    return nullSafe(
      left,
      right,
      (a: number, b: number) => {
        // SQLite gives NULL, PostgreSQL an error; JavaScript would give Infinity or NaN.
        if (Number(b) === 0) throw new Unevaluable("division by zero")
        if (divide) return divide(a, b)
        if (integer) return inRange(typeof a === "bigint" ? a / b : Math.trunc(a / b), limit)
        return noUnderflow(inRange(a / b), a, b)
      },
      !integer,
    )
  }
  const operation = ARITHMETIC[node.operator] as (a: never, b: never) => unknown
  if (!operation) throw new Unevaluable(`the operator ${node.operator} cannot be evaluated in memory`)
  const product = node.operator === "*" && !integer
  return nullSafe(
    left,
    right,
    (a, b) => {
      const result = inRange(operation(a, b), limit)
      return product ? noUnderflow(result, a, b) : result
    },
    !integer,
  )
}

/**
 * A comparison. A Date holds milliseconds, a stored timestamp may hold more (PostgreSQL's
 * microseconds, or SQLite text of another length, as CURRENT_TIMESTAMP's): two instants equal to the
 * millisecond may differ in the database, so for a stored row such a tie is refused. Instants a
 * millisecond apart or more compare the same whatever follows.
 */
function compare(operator: string, left: Evaluator, right: Evaluator, scope: Scope): Evaluator {
  const test = COMPARE[operator] as (a: unknown, b: unknown) => boolean
  if (!scope.asStored) return nullSafe(left, right, test)
  return nullSafe(left, right, (a, b) => {
    if (sameInstant(a, b)) throw new Unevaluable("a stored timestamp may differ below the millisecond")
    return test(a, b)
  })
}

/**
 * Any null operand makes the result null (UNKNOWN), as in SQL. An integer next to a 64-bit one
 * computes as bigint; a 64-bit integer next to a double, as a double when `doubles` (arithmetic).
 */
function nullSafe(
  left: Evaluator,
  right: Evaluator,
  operation: (a: never, b: never) => unknown,
  doubles = false,
): Evaluator {
  return (values) => {
    const a = left(values)
    const b = right(values)
    if (a === null || b === null) return null
    if ((typeof a === "bigint") === (typeof b === "bigint")) return operation(a as never, b as never)
    // A number here is an Integer's or a Float's: PostgreSQL takes a 64-bit integer beside a double as a
    // double (2**53 + 1 = 2**53 there), SQLite exactly, so they agree only below 2**53.
    if (!Number.isSafeInteger(Number(a)) || !Number.isSafeInteger(Number(b)))
      throw new Unevaluable("a 64-bit integer next to a double is compared as one on PostgreSQL")
    const convert = doubles ? Number : BigInt
    return operation(convert(a as number) as never, convert(b as number) as never)
  }
}

function booleanList(node: BooleanList, scope: Scope): Evaluator {
  const items = node.items.map((item) => build(item, scope))
  return node.operator === "AND" ? and3(items) : or3(items)
}

function and3(items: readonly Evaluator[]): Evaluator {
  return (values) => {
    let unknown = false
    for (const item of items) {
      const value = item(values)
      if (value === false) return false
      if (value === null) unknown = true
    }
    return unknown ? null : true
  }
}

function or3(items: readonly Evaluator[]): Evaluator {
  return (values) => {
    let unknown = false
    for (const item of items) {
      const value = item(values)
      if (value === true) return true
      if (value === null) unknown = true
    }
    return unknown ? null : false
  }
}

function not3(value: unknown): unknown {
  return value === null ? null : !value
}

function inList(node: InList, scope: Scope): Evaluator {
  if (!Array.isArray(node.items)) throw new Unevaluable("IN (subquery) cannot be evaluated in memory")
  comparable(node.children)
  const operand = build(node.operand, scope)
  const items = (node.items as readonly Expression<unknown>[]).map((item) => build(item, scope))
  const found = or3(items.map((item) => compare("=", operand, item, scope)))
  return node.negated ? (values) => not3(found(values)) : found
}

function call(node: FunctionCall<unknown>, scope: Scope): Evaluator {
  const args = node.args.map((arg) => build(arg, scope))
  const name = node.name.toLowerCase()
  if (name === "coalesce") {
    if (READ_BACK.has(node.type.kind)) throw new Unevaluable(READ_BACK_FORM)
    return (values) => {
      for (const arg of args) {
        const value = arg(values)
        if (value !== null) return value
      }
      return null
    }
  }
  // func.concat(), as the guide's hybrid full_name: NULL counts as empty on both databases (PostgreSQL's
  // concat(), SQLite's since 3.44), so the result is never NULL; the types `||` takes in memory.
  if (name === "concat") {
    const kind = node.args.find((arg) => !CONCATENATED.has(arg.type.kind))?.type.kind
    if (kind) throw new Unevaluable(`each database writes a ${kind} as text in its own way`)
    return (values) => args.map((arg) => `${arg(values) ?? ""}`).join("")
  }
  const operation = FUNCTIONS[name]
  if (!operation) throw new Unevaluable(`the function ${node.name}() cannot be evaluated in memory`)
  // abs() of the lowest integer of its argument's type is beyond it.
  const limit = INTEGER_LIMITS[node.args[0]?.type.kind as TypeKind]
  return (values) => {
    const computed = args.map((arg) => arg(values))
    return computed.includes(null) ? null : inRange(operation(computed), limit)
  }
}

function sameInstant(a: unknown, b: unknown): boolean {
  return a instanceof Date && b instanceof Date && a.getTime() === b.getTime()
}

export function isExpression(value: unknown): value is Expression<unknown> {
  return value instanceof Expression
}

/**
 * A CAST, where both databases convert alike: whole numbers between number kinds and to text, a
 * decimal's text to a double, any value to its own kind. Others are asked of the database: a double to
 * an integer (PostgreSQL rounds half to even, SQLite truncates), to text (100.0 is '100' or '100.0'),
 * booleans and timestamps (their text differs).
 */
function cast(expression: Cast<unknown>, scope: Scope): Evaluator {
  const operand = build(expression.operand, scope)
  const from = expression.operand.type.kind
  const to = expression.type.kind
  // A type with options converts by them (a length truncates on PostgreSQL only, a scale rounds there
  // and not on SQLite): left to the database.
  const plain = Object.keys(expression.type.options).length === 0
  if (from === to && plain) return operand
  // PostgreSQL refuses a day or a timestamp as a number, even a NULL one; SQLite converts its text.
  if ((from === "date" || from === "datetime") && to !== "text" && to !== "string")
    throw new Unevaluable(`CAST of a ${from} to ${to} is left to the database`)
  const convert = plain ? CASTS[to] : undefined
  if (!convert) throw new Unevaluable(`CAST to ${to} is left to the database`)
  return (values) => {
    const value = operand(values)
    if (value === null) return null
    const converted = convert(value, from)
    if (converted === undefined)
      throw new Unevaluable(`CAST of ${String(value)} to ${to} is left to the database`)
    return converted
  }
}

/** A whole number below 2**53, as a number, from a number or a bigint (undefined otherwise). */
function whole(value: unknown): number | undefined {
  const n = typeof value === "bigint" ? Number(value) : value
  return typeof n === "number" && Number.isSafeInteger(n) ? n : undefined
}

/** A whole number within an integer type's range (below `limit` either way). */
function within(value: unknown, limit: number): number | undefined {
  const n = whole(value)
  return n !== undefined && Math.abs(n) < limit ? n : undefined
}

const CASTS: Partial<Record<TypeKind, (value: unknown, from: TypeKind) => unknown>> = {
  integer: (value) => within(value, 2 ** 31),
  smallint: (value) => within(value, 2 ** 15),
  bigint: (value) =>
    typeof value === "bigint" ? value : whole(value) === undefined ? undefined : BigInt(value as number),
  float: (value, from) =>
    typeof value === "number"
      ? value
      : from === "numeric" || whole(value) !== undefined
        ? Number(value)
        : undefined,
  text: toText,
  string: toText,
}

/**
 * Text as it is, and integers: a decimal's or a UUID's text may be spelled otherwise, and a double's
 * (100 is '100.0' on SQLite, 1e15 '1e+15' on PostgreSQL).
 */
function toText(value: unknown, from: TypeKind): string | undefined {
  if (typeof value === "string")
    return from === "text" || from === "string" || from === "enum" ? value : undefined
  return from === "integer" || from === "smallint" || from === "bigint" ? whole(value)?.toString() : undefined
}
