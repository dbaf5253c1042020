// The differential fuzzer's table: one column of each type the expression language computes with
// (nullable and not), as an ORM model, and a seeded maker of rows that leans on edge values (type
// limits, -0, subnormals, combining marks, LIKE's wildcards, leap days, JSON of every shape).
import {
  BigInteger,
  Boolean as BooleanType,
  column,
  DateOnly,
  DateTime,
  Float,
  Integer,
  Json,
  model,
  Numeric,
  Registry,
  SmallInteger,
  Text,
  String as VarChar,
} from "../../src/index.ts"
import type { Random } from "./random.ts"

/** What an expression computes with: a column's kind of value, as the generator chooses operands. */
export type Sort = "int" | "big" | "float" | "numeric" | "text" | "bool" | "datetime" | "date" | "json"

const specs = {
  id: column(Integer, { primaryKey: true }),
  i: column(Integer, { nullable: true }),
  i2: column(Integer),
  s: column(SmallInteger, { nullable: true }),
  b: column(BigInteger, { nullable: true }),
  f: column(Float, { nullable: true }),
  f2: column(Float),
  n: column(Numeric(), { nullable: true }),
  m: column(Numeric(10, 2), { nullable: true }),
  t: column(Text, { nullable: true }),
  t2: column(Text),
  v: column(VarChar(12), { nullable: true }),
  flag: column(BooleanType, { nullable: true }),
  at: column(DateTime, { nullable: true }),
  day: column(DateOnly, { nullable: true }),
  doc: column(Json(), { nullable: true }),
}

export type ColumnKey = Exclude<keyof typeof specs, "id">

export const COLUMN_SORTS: Record<ColumnKey, Sort> = {
  i: "int",
  i2: "int",
  s: "int",
  b: "big",
  f: "float",
  f2: "float",
  n: "numeric",
  m: "numeric",
  t: "text",
  t2: "text",
  v: "text",
  flag: "bool",
  at: "datetime",
  day: "date",
  doc: "json",
}

export const COLUMN_KEYS = Object.keys(COLUMN_SORTS) as ColumnKey[]
const NOT_NULL = new Set<ColumnKey>(["i2", "f2", "t2"])

export type FuzzRow = Record<ColumnKey, unknown>

/** The fuzzer's model on its own registry, its table named `${prefix}values`. */
export function fuzzModel(prefix: string) {
  const registry = new Registry()
  class FuzzValue extends model(`${prefix}values`, specs, { registry }) {}
  return { model: FuzzValue, registry }
}

export type FuzzModel = ReturnType<typeof fuzzModel>["model"]

const INTS = [0, 1, -1, 2, 3, 7, -7, 10, 100, 46341, 65536, 2 ** 31 - 1, -(2 ** 31), 2 ** 30]
const SMALLS = [0, 1, -1, 2, -2, 181, 32767, -32768, 255]
const BIGS = [0n, 1n, -1n, 2n, 2n ** 53n + 1n, 3037000500n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 31n]
const FLOATS = [
  0,
  -0,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  0.1,
  1 / 3,
  1e308,
  -1e308,
  5e-324,
  1e15,
  1e16,
  123456789.125,
  3,
  -3,
  2 ** 53,
  0.000001,
  1e21,
]
const DECIMALS = ["0", "12.50", "-0.5", "1.5", "2.5", "123456789012345", "1e3", "0.1", "-7", "0.000"]
const MONEY = ["0.00", "12.5", "-1.25", "99999999.99", "0.5", "-0.01", "7"]
export const TEXTS = [
  "",
  " ",
  "a",
  "A",
  "abc",
  "ABC",
  "Hello World",
  "%",
  "_",
  "\\",
  "a%b",
  "50%",
  "a_c",
  "ß",
  "İ",
  "ǅ",
  "😀",
  "e\u0301",
  "é",
  "ﬀ",
  "日本語",
  "O'Reilly",
  "tab\tx",
  " padded ",
  "null",
  "NULL",
  "123",
  "1e3",
  "-0",
  "Ω",
  "ÀÉÎ",
  "\u00a0",
  "line\nbreak",
  "a\\%b",
]
const DATES = [
  "1970-01-01T00:00:00.000Z",
  "2024-02-29T12:34:56.789Z",
  "0001-01-01T00:00:00.000Z",
  "9999-12-31T23:59:59.999Z",
  "1969-12-31T23:59:59.999Z",
  "2000-01-01T00:00:00.000Z",
  "2024-02-29T23:30:00.000Z",
]
const DAYS = ["2024-02-29", "0001-01-01", "9999-12-31", "1970-01-01", "2000-03-01"]
const DOCS: unknown[] = [{}, [], 1, "x", { a: 1 }, [1, "two", null], true, 1.5, "123", { b: [{ c: "ü" }] }, 0]

export function randomInt(random: Random): number {
  return random.chance(0.6) ? random.pick(INTS) : random.int(-(2 ** 31), 2 ** 31 - 1)
}

export function randomBig(random: Random): bigint {
  return random.chance(0.6)
    ? random.pick(BIGS)
    : random.chance(0.5)
      ? BigInt(random.int(-99, 99))
      : random.bigint64()
}

export function randomFloat(random: Random): number {
  if (random.chance(0.6)) return random.pick(FLOATS)
  return random.chance(0.5) ? random.int(-1000, 1000) / 8 : (random.next() - 0.5) * 10 ** random.int(-10, 20)
}

export function randomDecimal(random: Random): string {
  if (random.chance(0.6)) return random.pick(DECIMALS)
  const digits = String(random.int(0, 10 ** random.int(1, 9)))
  const point = random.int(0, digits.length)
  const text = point === digits.length ? digits : `${digits.slice(0, point) || "0"}.${digits.slice(point)}`
  return random.chance(0.3) ? `-${text}` : text
}

function randomMoney(random: Random): string {
  return random.chance(0.6) ? random.pick(MONEY) : `${random.int(-99999, 99999)}.${random.int(0, 99)}`
}

export function randomText(random: Random, maxLength = 40): string {
  const pieces = random.int(1, 3)
  let text = ""
  for (let i = 0; i < pieces; i++) {
    text += random.chance(0.7) ? random.pick(TEXTS) : String.fromCodePoint(random.int(32, 0x2ff))
  }
  return [...text].slice(0, maxLength).join("")
}

export function randomDate(random: Random): Date {
  if (random.chance(0.6)) return new Date(random.pick(DATES))
  return new Date(random.int(-62135596800, 253402300799) * 1000 + random.int(0, 999))
}

export function randomDay(random: Random): string {
  return random.chance(0.6) ? random.pick(DAYS) : randomDate(random).toISOString().slice(0, 10)
}

export function randomDoc(random: Random): unknown {
  return random.chance(0.7) ? random.pick(DOCS) : { k: randomText(random, 6), n: random.int(-5, 5) }
}

const MAKERS: Record<ColumnKey, (random: Random) => unknown> = {
  i: randomInt,
  i2: randomInt,
  s: (random) => random.pick(SMALLS),
  b: randomBig,
  f: randomFloat,
  f2: randomFloat,
  n: randomDecimal,
  m: randomMoney,
  t: randomText,
  t2: randomText,
  v: (random) => randomText(random, 12),
  flag: (random) => random.chance(0.5),
  at: randomDate,
  day: randomDay,
  doc: randomDoc,
}

export function randomRow(random: Random): FuzzRow {
  const row = {} as FuzzRow
  for (const key of COLUMN_KEYS) {
    row[key] = !NOT_NULL.has(key) && random.chance(0.15) ? null : MAKERS[key](random)
  }
  return row
}
