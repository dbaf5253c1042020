// Column types. A type is a frozen descriptor carrying its TypeScript value type as a phantom; the
// dialects decide how it is spelled in DDL and how values cross the wire.

import { InvalidRequestError } from "../errors.ts"
import { numberStore } from "./numeric-store.ts"
import type { Column } from "./schema/column.ts"
import {
  checkedBytes,
  checkedDay,
  checkedNumeric,
  checkedUuid,
  jsonText,
  type TypeCheck,
} from "./value-checks.ts"
export type TypeKind =
  | "integer"
  | "bigint"
  | "smallint"
  | "string"
  | "text"
  | "boolean"
  | "datetime"
  | "date"
  | "float"
  | "numeric"
  | "json"
  | "uuid"
  | "binary"
  | "enum"
  | "null"

export interface TypeOptions {
  readonly length?: number
  readonly precision?: number
  readonly scale?: number
  readonly values?: readonly string[]
}

/** How a database that keeps a type's values as 64-bit integers or doubles writes and reads them. */
export interface NumberStore {
  /** The checked value as it is sent; refused (a DataError) when it would not be kept exactly. */
  write(text: string, type: SqlType<unknown>, column: Column<unknown> | undefined): number | bigint
  /** What the database returned, as the value of a column of this type (its precision and scale). */
  read(value: unknown, type: SqlType<unknown>): string
}

export class SqlType<T> {
  /** Phantom: the TypeScript type of values of this SQL type. Never set at run time. */
  declare readonly valueType: T

  constructor(
    readonly kind: TypeKind,
    readonly options: TypeOptions = {},
    /** The value check of a type only some apps use (../value-checks.ts), carried by the type. */
    readonly check?: TypeCheck,
  ) {
    Object.freeze(this)
  }

  /** Integer kinds: the ones a database can generate as keys. */
  get isInteger(): boolean {
    return this.kind === "integer" || this.kind === "bigint" || this.kind === "smallint"
  }
}

/** A type, or a type factory called with its defaults (`String` as well as `String(50)`). */
export type TypeLike<T> = SqlType<T> | (() => SqlType<T>)

export function resolveType<T>(type: TypeLike<T>): SqlType<T> {
  const resolved = typeof type === "function" ? type() : type
  if (resolved instanceof SqlType) return resolved
  // JavaScript's own String, Boolean, Number or Date, where the import was forgotten, land here.
  const name = typeof type === "function" ? type.name : String(type)
  throw new InvalidRequestError(`${name} is not a column type: import it from "edgealchemy"`)
}

// What each type holds is the same on both databases (src/sql/value-checks.ts): a value one of them
// would refuse or change is refused before sending, with a DataError naming the column.

/**
 * 32-bit, PostgreSQL's int4, on both databases: whole numbers from -2^31 to 2^31 - 1 (numbers or
 * bigints). A fraction, NaN or 2^31 is refused on SQLite too, whose INTEGER would keep it.
 */
export const Integer = /* @__PURE__ */ new SqlType<number>("integer")
/**
 * 64-bit integers, read and written as `bigint` so that no value above 2^53 is rounded; a `number`
 * is taken only while it is exact (a safe integer).
 */
export const BigInteger = /* @__PURE__ */ new SqlType<bigint>("bigint")
/** 16-bit, PostgreSQL's int2, on both databases: -32768 to 32767. */
export const SmallInteger = /* @__PURE__ */ new SqlType<number>("smallint")
/**
 * Text of any length: well-formed Unicode without NUL (PostgreSQL cannot store U+0000 and SQLite
 * reads text only up to it; a lone surrogate has no UTF-8 form): those are refused.
 */
export const Text = /* @__PURE__ */ new SqlType<string>("text")
/**
 * A double on both databases. NaN and ±Infinity are refused (SQLite turns NaN into NULL); -0 is
 * stored as 0, as SQLite keeps no sign on zero.
 */
export const Float = /* @__PURE__ */ new SqlType<number>("float")
/** UUIDs in the lowercase 8-4-4-4-12 form of `crypto.randomUUID()`; others are refused. */
export const Uuid = /* @__PURE__ */ new SqlType<string>("uuid", {}, checkedUuid)
/** Bytes, as `Uint8Array` (a Node Buffer is one). */
// Annotated: an inferred type would be emitted as Uint8Array<ArrayBufferLike>, which TypeScript before 5.7 refuses.
export const LargeBinary: SqlType<Uint8Array> = /* @__PURE__ */ new SqlType<Uint8Array>(
  "binary",
  {},
  checkedBytes,
)
/**
 * A timestamp with time zone; values are `Date`s, stored and read in UTC whatever the server's zone,
 * to the millisecond. Years 1 to 9999 (what both databases and SQLite's sortable text hold); an
 * Invalid Date is refused.
 */
export const DateTime = /* @__PURE__ */ new SqlType<Date>("datetime")
/**
 * A calendar date without time or zone, as an ISO string `YYYY-MM-DD` (a JS Date would drag in a zone):
 * real days of years 1 to 9999 only (`2023-02-30` is refused, as PostgreSQL does and SQLite would not).
 */
export const DateOnly = /* @__PURE__ */ new SqlType<string>("date", {}, checkedDay)
/** `true` or `false`; 1 or "true" are refused rather than guessed at. */
export const BooleanType = /* @__PURE__ */ new SqlType<boolean>("boolean")
/** The type of a bare `null` literal. */
export const NullType = /* @__PURE__ */ new SqlType<null>("null")

/**
 * `String(50)` is VARCHAR(50); `String()` or `String` a VARCHAR with no limit. Holds what Text holds;
 * a value written to it may have at most `length` characters (code points, as PostgreSQL counts them)
 * on both databases, though SQLite would keep more. A comparison may use a longer string.
 */
export function StringType(length?: number): SqlType<string> {
  return new SqlType<string>("string", length === undefined ? {} : { length })
}

/**
 * Exact decimals, as strings so that no digit is lost (`"12.50"`); decimal text such as `"-12.50"` or
 * `"1.5e3"`, or a finite number or bigint. Nothing is rounded silently:
 * - `Numeric(p, s)`: a written value with more than `s` digits after the point (PostgreSQL would round
 *   it) or more than `p - s` before is refused on both databases. It reads back with `s` decimals on
 *   both (`"12.5"` reads `"12.50"` from a `Numeric(10, 2)`).
 * - SQLite keeps a NUMERIC as a 64-bit integer or a double: 15 significant digits, magnitudes from
 *   1e-300 to 1e300. A value beyond that is refused there (PostgreSQL holds it); use PostgreSQL or a
 *   Text column for more.
 * - Without a scale, PostgreSQL reads a value back as written (`"12.50"`), SQLite in its shortest form
 *   (`"12.5"`): the same number.
 */
export function Numeric(precision?: number, scale?: number): SqlType<string> {
  return new NumericType(
    "numeric",
    {
      ...(precision === undefined ? {} : { precision }),
      ...(scale === undefined ? {} : { scale }),
    },
    checkedNumeric,
  )
}

/**
 * Numeric's types carry their forms in a database that keeps NUMERIC as an integer or a double
 * (./numeric-store.ts), as a getter (types are frozen): a bundle whose models have no Numeric carries
 * none of that code, nor a field for it on every type.
 */
class NumericType extends SqlType<string> {
  get numberStore(): NumberStore {
    return numberStore
  }
}

/** A type as a dialect that keeps NUMERIC as numbers sees it: a Numeric's carries its forms. */
export type StoredAsNumber = SqlType<unknown> & { readonly numberStore?: NumberStore }

/**
 * JSON documents; `Json<{tags: string[]}>()` types the value. JSONB on PostgreSQL, TEXT on SQLite.
 * Any JSON value round-trips, strings included (`"123"` stays the string "123"), except that JS `null`
 * is SQL NULL (as SQLAlchemy's `none_as_null=True`): a column never holds a JSON `null` document of
 * ours, and reads both as `null`; `null` inside a document is kept. A document is what
 * `JSON.stringify` makes of the value (`toJSON` applied, `undefined` members dropped, NaN inside as
 * `null`); a bigint, a cycle, a top-level NaN, and NUL or a lone surrogate in a string (jsonb cannot
 * hold them) are refused. PostgreSQL does not keep the order of an object's keys.
 */
export function Json<T = unknown>(): SqlType<T> {
  return new SqlType<T>("json", {}, jsonText)
}

/**
 * One of fixed strings, stored as VARCHAR with a CHECK constraint on both dialects. A value outside
 * them is refused before sending (a DataError, whatever its length); the CHECK guards other writers.
 */
export function Enum<const V extends readonly [string, ...string[]]>(...values: V): SqlType<V[number]> {
  return new SqlType<V[number]>("enum", { values, length: Math.max(...values.map((v) => v.length)) })
}

/** The SQL type a plain JS value binds as, when no column gives one. */
export function typeOfValue(value: unknown): SqlType<unknown> {
  switch (typeof value) {
    case "number":
      // An integer beyond int4 binds as a double, which holds it, rather than be refused as an Integer.
      return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? Integer : Float
    case "bigint":
      return BigInteger
    case "boolean":
      return BooleanType
    case "string":
      return Text
    default:
      if (value === null || value === undefined) return NullType
      if (value instanceof Date) return DateTime
      if (value instanceof Uint8Array) return LargeBinary
      return Json()
  }
}
