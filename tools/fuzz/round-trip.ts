// The round trip of the fuzzer's rows: written through the ORM on one transport, read back by a fresh
// session, each value as the database holds it and as the committed object holds it.
import { AsyncSession, select } from "../../src/index.ts"
import { printValue } from "./expression-specs.ts"
import { type Finding, type Loaded, printRow, type Target, valuesOf } from "./findings.ts"
import { COLUMN_KEYS, type ColumnKey, type FuzzModel, type FuzzRow } from "./fuzz-model.ts"
import { failure, printOutcome, sameValue } from "./outcomes.ts"

/** Writes `rows`, reads them back into `loaded` (ids and values by dialect); what did not come back as written. */
export async function insertAndRead(
  target: Target,
  Model: FuzzModel,
  rows: readonly FuzzRow[],
  loaded: Loaded[],
): Promise<Finding[]> {
  await using session = new AsyncSession(target.engine)
  const objects = rows.map((row) => new Model(row as never))
  try {
    session.addAll(objects)
    await session.commit()
  } catch (error) {
    const repro = `${target.transport}: ${printOutcome(failure(error))}\n  rows: ${rows.map(printRow).join("\n        ")}`
    return [{ check: "round trip", category: "insert failed", subject: target.transport, repro }]
  }
  await using reader = new AsyncSession(target.engine)
  const read = (
    await reader.scalars(
      select(Model)
        .where(Model.id.in(objects.map((o) => o.id)))
        .orderBy(Model.id),
    )
  ).all()
  const findings: Finding[] = []
  read.forEach((object, i) => {
    const values = valuesOf(object)
    ;(loaded[i] as Loaded).ids[target.dialect] = object.id
    ;(loaded[i] as Loaded).values[target.dialect] = values
    const committed = valuesOf(objects[i] as object)
    for (const key of COLUMN_KEYS) {
      const written = (rows[i] as FuzzRow)[key]
      if (!sameValue(expectedRead(key, written), normalRead(key, values[key]))) {
        findings.push(roundTrip(target, key, written, values[key], "reads back"))
      } else if (
        !sameValue(committed[key], values[key]) &&
        !(key === "n" && sameDecimal(committed[key], values[key]))
      ) {
        findings.push(
          roundTrip(
            target,
            key,
            committed[key],
            values[key],
            "is held by the committed object, the row reads back",
          ),
        )
      }
    }
  })
  return findings
}

function roundTrip(target: Target, key: string, written: unknown, read: unknown, how: string): Finding {
  const repro = `[round trip] ${target.transport}: ${key} written ${printValue(written)} ${how} ${printValue(read)}`
  return { check: "round trip", category: `round trip ${key}`, subject: `${target.transport} ${key}`, repro }
}

/** What a written value reads back as on both databases (a Float's -0 as 0, a Numeric(10, 2) with two decimals). */
function expectedRead(key: ColumnKey, value: unknown): unknown {
  if (value === null) return null
  if (key === "n") return canonicalDecimal(value as string)
  if (key === "m") {
    const [whole, fraction = ""] = canonicalDecimal(value as string).split(".")
    return `${whole}.${fraction.padEnd(2, "0")}`
  }
  return value
}

function normalRead(key: ColumnKey, value: unknown): unknown {
  return key === "n" && typeof value === "string" ? canonicalDecimal(value) : value
}

function sameDecimal(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && canonicalDecimal(a) === canonicalDecimal(b)
}

/** Decimal text without a sign on zero, leading zeros or trailing zeros after the point. */
function canonicalDecimal(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (!match) return text
  const [, sign, whole = "", fraction = "", exponent = "0"] = match
  let digits = BigInt(`${whole}${fraction}` || "0")
  if (digits === 0n) return "0"
  let scale = fraction.length - Number(exponent)
  while (scale > 0 && digits % 10n === 0n) {
    digits /= 10n
    scale--
  }
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale)
    scale = 0
  }
  const padded = digits.toString().padStart(scale + 1, "0")
  const text2 = scale === 0 ? padded : `${padded.slice(0, -scale)}.${padded.slice(-scale)}`
  return `${sign === "-" ? "-" : ""}${text2}`
}
