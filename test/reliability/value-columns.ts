// One column of every type in src/sql/types.ts (several Numeric and string shapes), as a Core table
// and as an ORM model, with fast-check generators of the values both databases must hold exactly and
// what each value reads back as. Shared by the round-trip properties and the refusal tests.
import fc from "fast-check"
import {
  BigInteger,
  Boolean,
  column,
  DateOnly,
  DateTime,
  Enum,
  Float,
  Integer,
  Json,
  LargeBinary,
  MetaData,
  model,
  Numeric,
  Registry,
  relationship,
  SmallInteger,
  String,
  Text,
  table,
  Uuid,
} from "../../src/index.ts"

export const MOODS = ["calm", "loud", "ünïcödé 😀"] as const

export const valueSpecs = {
  id: column(Integer, { primaryKey: true }),
  int: column(Integer, { nullable: true }),
  small: column(SmallInteger, { nullable: true }),
  big: column(BigInteger, { nullable: true }),
  float: column(Float, { nullable: true }),
  decimal: column(Numeric(), { nullable: true }),
  money: column(Numeric(10, 2), { nullable: true }),
  text: column(Text, { nullable: true }),
  short: column(String(12), { nullable: true }),
  flag: column(Boolean, { nullable: true }),
  at: column(DateTime, { nullable: true }),
  day: column(DateOnly, { nullable: true }),
  doc: column(Json(), { nullable: true }),
  bytes: column(LargeBinary, { nullable: true }),
  mood: column(Enum(...MOODS), { nullable: true }),
  uid: column(Uuid, { nullable: true }),
}

export type ValueKey = Exclude<keyof typeof valueSpecs, "id">
export type ValueRow = { [K in ValueKey]: unknown }

/**
 * The round-trip tables, named by `prefix` so that the Node and workerd runs of the suite, which
 * share the databases, never drop each other's tables.
 */
export function valueTables(prefix: string) {
  const metadata = new MetaData()
  const registry = new Registry()
  // The same columns on a model loaded as a relationship: a one-statement load carries its rows (and
  // the query's own) as JSON, which must bring every value back exactly too.
  class ValueOwner extends model(
    `${prefix}_value_owners`,
    {
      id: column(Integer, { primaryKey: true }),
      values: relationship<LoadedValue[]>("LoadedValue", { backPopulates: "owner" }),
    },
    { registry },
  ) {}
  class LoadedValue extends model(
    `${prefix}_loaded_values`,
    {
      ...valueSpecs,
      ownerId: column(Integer, { nullable: true, foreignKey: `${prefix}_value_owners.id` }),
      owner: relationship<ValueOwner | null>("ValueOwner", { backPopulates: "values" }),
    },
    { registry },
  ) {}
  return {
    owner: ValueOwner,
    loaded: LoadedValue,
    metadata,
    registry,
    core: table(`${prefix}_core_values`, valueSpecs, { metadata }),
    orm: class OrmValue extends model(`${prefix}_orm_values`, valueSpecs, { registry }) {},
    /** Only PostgreSQL keeps more than 15 significant digits in a NUMERIC: a table of its own. */
    wide: table(
      `${prefix}_wide_values`,
      { id: column(Integer, { primaryKey: true }), wide: column(Numeric(40, 10), { nullable: true }) },
      { metadata },
    ),
  }
}

/** The same columns again for the refusal tests, which count rows to see that nothing was written. */
export const refused = valueTables("rv_refused")

const noNul = (text: string) => text.replaceAll("\u0000", "")
/** Any code point but NUL, which no text column holds (see the refusal tests). */
const character = fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((c) => c !== "\u0000")
/** Years 1 to 9999: what both databases and our SQLite timestamp text hold. */
const dates = fc.date({
  min: new Date("0001-01-01T00:00:00.000Z"),
  max: new Date("9999-12-31T23:59:59.999Z"),
  noInvalidDate: true,
})

/** Plain decimal text of `mantissa × 10^exponent`, e.g. (-1505n, -2) is "-15.05". */
export function decimalText(mantissa: bigint, exponent: number): string {
  const negative = mantissa < 0n
  const digits = (negative ? -mantissa : mantissa).toString()
  let text: string
  if (exponent >= 0) text = digits + "0".repeat(exponent)
  else {
    const padded = digits.padStart(-exponent + 1, "0")
    text = `${padded.slice(0, exponent)}.${padded.slice(exponent)}`
  }
  return negative && /[1-9]/.test(text) ? `-${text}` : text
}

/** A decimal's canonical text: no sign on zero, no leading zeros, no trailing zeros after the point. */
export function canonicalDecimal(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (!match) return text
  const [, sign, whole = "", fraction = "", exponent = "0"] = match
  const digits = BigInt(`${whole}${fraction}` || "0")
  if (digits === 0n) return "0"
  let scale = fraction.length - Number(exponent)
  let mantissa = digits
  while (scale > 0 && mantissa % 10n === 0n) {
    mantissa /= 10n
    scale--
  }
  return decimalText(sign === "-" ? -mantissa : mantissa, -scale)
}

/** Up to 15 significant digits, at any scale SQLite's double keeps: what both databases hold exactly. */
const portableDecimal = fc.oneof(
  fc
    .tuple(fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }), fc.integer({ min: -40, max: 40 }))
    .map(([m, e]) => decimalText(m, e)),
  // Integers of up to 19 digits that fit 64 bits: SQLite keeps them as integers.
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => n.toString()),
  // Spellings PostgreSQL and SQLite both read the same way.
  fc
    .tuple(fc.integer({ min: -99_999, max: 99_999 }), fc.integer({ min: -9, max: 9 }))
    .map(([m, e]) => `${m / 100}e${e}`),
  fc.constantFrom("12.50", "-0.0", "0.000", "007.5", "1E+3", "-.5", "5."),
)

/** Values for Numeric(10, 2): up to 8 digits before the point and 2 after (fewer are padded). */
const money = fc
  .tuple(fc.bigInt({ min: -(10n ** 10n) + 1n, max: 10n ** 10n - 1n }), fc.constantFrom(-2, -1, 0))
  .map(([m, e]) => decimalText(e === -2 ? m : m / 10n ** BigInt(2 + e), e))

export const valueArbitraries: { [K in ValueKey]: fc.Arbitrary<unknown> } = {
  int: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  small: fc.integer({ min: -(2 ** 15), max: 2 ** 15 - 1 }),
  big: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  float: fc.double({ noNaN: true, noDefaultInfinity: true }),
  decimal: portableDecimal,
  money,
  text: fc.oneof(
    fc.string({ unit: "binary", maxLength: 60 }).map(noNul),
    fc.string({ unit: "grapheme", maxLength: 30 }),
  ),
  short: fc.string({ unit: "binary", maxLength: 12 }).map(noNul),
  flag: fc.boolean(),
  at: dates,
  day: dates.map((date) => date.toISOString().slice(0, 10)),
  doc: fc.jsonValue({ stringUnit: character, maxDepth: 3 }),
  bytes: fc.uint8Array({ maxLength: 40 }),
  mood: fc.constantFrom(...MOODS),
  uid: fc.uuid(),
}

/** A row of values, each column null one time in eight. */
export const valueRow: fc.Arbitrary<ValueRow> = fc.record(
  Object.fromEntries(
    Object.entries(valueArbitraries).map(([key, arbitrary]) => [
      key,
      fc.oneof({ weight: 7, arbitrary }, { weight: 1, arbitrary: fc.constant(null) }),
    ]),
  ) as { [K in ValueKey]: fc.Arbitrary<unknown> },
)

/** What a written value reads back as, on both databases. */
export function expectedValue(key: ValueKey, value: unknown): unknown {
  if (value === null) return null
  switch (key) {
    case "float":
      return Object.is(value, -0) ? 0 : value
    case "decimal":
      return canonicalDecimal(value as string)
    case "money": {
      const canonical = canonicalDecimal(value as string)
      const [whole, fraction = ""] = canonical.split(".")
      return `${whole}.${fraction.padEnd(2, "0")}`
    }
    case "at":
      return (value as Date).toISOString()
    case "doc":
      return JSON.parse(JSON.stringify(value))
    case "bytes":
      return Array.from(value as Uint8Array)
    default:
      return value
  }
}

/** A read value in the form `expectedValue` gives. */
export function readValue(key: ValueKey, value: unknown): unknown {
  if (value === null) return null
  switch (key) {
    case "decimal":
      return canonicalDecimal(value as string)
    case "at":
      return value instanceof Date ? value.toISOString() : `not a Date: ${value}`
    case "bytes":
      return value instanceof Uint8Array ? Array.from(value) : `not bytes: ${value}`
    default:
      return value
  }
}
