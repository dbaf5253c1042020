// Column types. A type is a frozen descriptor carrying its TypeScript value type as a phantom; the
// dialects decide how it is spelled in DDL and how values cross the wire.

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

export class SqlType<T> {
  /** Phantom: the TypeScript type of values of this SQL type. Never set at run time. */
  declare readonly valueType: T

  constructor(
    readonly kind: TypeKind,
    readonly options: TypeOptions = {},
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
  return typeof type === "function" ? type() : type
}

export const Integer = /* @__PURE__ */ new SqlType<number>("integer")
/** 64-bit integers, read and written as `bigint` so that no value above 2^53 is rounded. */
export const BigInteger = /* @__PURE__ */ new SqlType<bigint>("bigint")
export const SmallInteger = /* @__PURE__ */ new SqlType<number>("smallint")
export const Text = /* @__PURE__ */ new SqlType<string>("text")
export const Float = /* @__PURE__ */ new SqlType<number>("float")
export const Uuid = /* @__PURE__ */ new SqlType<string>("uuid")
export const LargeBinary = /* @__PURE__ */ new SqlType<Uint8Array>("binary")
/** A timestamp with time zone; values are `Date`s, stored and read in UTC whatever the server's zone. */
export const DateTime = /* @__PURE__ */ new SqlType<Date>("datetime")
/** A calendar date without time or zone, as an ISO string `YYYY-MM-DD` (a JS Date would drag in a zone). */
export const DateOnly = /* @__PURE__ */ new SqlType<string>("date")
export const BooleanType = /* @__PURE__ */ new SqlType<boolean>("boolean")
/** The type of a bare `null` literal. */
export const NullType = /* @__PURE__ */ new SqlType<null>("null")

/** `String(50)` is VARCHAR(50); `String()` or `String` a VARCHAR with no limit. */
export function StringType(length?: number): SqlType<string> {
  return new SqlType<string>("string", length === undefined ? {} : { length })
}

/** Exact decimals, as strings so that no digit is lost (`"12.50"`). */
export function Numeric(precision?: number, scale?: number): SqlType<string> {
  return new SqlType<string>("numeric", {
    ...(precision === undefined ? {} : { precision }),
    ...(scale === undefined ? {} : { scale }),
  })
}

/** JSON documents; `Json<{tags: string[]}>()` types the value. JSONB on PostgreSQL, TEXT on SQLite. */
export function Json<T = unknown>(): SqlType<T> {
  return new SqlType<T>("json")
}

/** One of fixed strings, stored as VARCHAR with a CHECK constraint on both dialects. */
export function Enum<const V extends readonly [string, ...string[]]>(...values: V): SqlType<V[number]> {
  return new SqlType<V[number]>("enum", { values, length: Math.max(...values.map((v) => v.length)) })
}

/** The SQL type a plain JS value binds as, when no column gives one. */
export function typeOfValue(value: unknown): SqlType<unknown> {
  switch (typeof value) {
    case "number":
      return Number.isInteger(value) ? Integer : Float
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
