// SQLite timestamps are text. The format edgealchemy writes is read field by field (Date's string parser
// costs microseconds a value, on every datetime of every row); this checks the fast reading against
// the parser it stands in for, on every shape of text, valid or not, so that both read a text alike.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseSqliteTimestamp, sqliteTimestamp } from "../../src/dialects/sqlite/codecs.ts"

/** What parseSqliteTimestamp did before its fast path: ISO text through Date's parser, read as UTC. */
function byDateParser(text: string): number {
  const iso = text.includes("T") ? text : text.replace(" ", "T")
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`).getTime()
}

const padded = (width: number, max: number) =>
  fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, "0"))

/** Texts of the written shape with every field anywhere in its digits' range (months 13, seconds 60...). */
const timestampLike = fc
  .tuple(
    padded(4, 9999),
    padded(2, 99),
    padded(2, 99),
    padded(2, 99),
    padded(2, 99),
    padded(2, 99),
    fc.option(padded(3, 999)),
  )
  .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d} ${h}:${mi}:${s}${ms === null ? "" : `.${ms}`}`)

const sameTime = (text: string) => {
  const fast = parseSqliteTimestamp(text).getTime()
  const parsed = byDateParser(text)
  return Object.is(fast, parsed)
}

describe("SQLite timestamps", () => {
  it("reads every text of the written shape as Date's parser does, invalid fields included", () => {
    fc.assert(fc.property(timestampLike, sameTime), { seed: 20261206, numRuns: 20_000 })
  })

  it("reads what it writes, years 1 to 9999", () => {
    const instant = fc.date({
      min: new Date("0001-01-01T00:00:00.000Z"),
      max: new Date("9999-12-31T23:59:59.999Z"),
      noInvalidDate: true,
    })
    fc.assert(
      fc.property(
        instant,
        (date) => parseSqliteTimestamp(sqliteTimestamp(date)).getTime() === date.getTime(),
      ),
      { seed: 20261206, numRuns: 5_000 },
    )
  })

  it("leaves other shapes to Date's parser", () => {
    const texts = [
      "2024-01-01T10:00:00",
      "2024-01-01T10:00:00Z",
      "2024-01-01 10:00:00+02:00",
      "2024-01-01 10:00:00.5",
      "2024-01-01 10:00",
      "2024-1-01 10:00:00",
      "0050-03-04 05:06:07",
      "0000-01-01 00:00:00",
      "2024-02-30 00:00:00",
      "2024-01-01 24:00:00",
      "abcd-01-01 00:00:00",
      "",
    ]
    for (const text of texts) expect(sameTime(text), text).toBe(true)
    expect(parseSqliteTimestamp("0050-03-04 05:06:07").toISOString()).toBe("0050-03-04T05:06:07.000Z")
  })
})
