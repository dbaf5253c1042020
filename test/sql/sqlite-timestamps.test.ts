// SQLite keeps timestamps as text: ours (`YYYY-MM-DD HH:MM:SS.SSS`, UTC), CURRENT_TIMESTAMP's (no
// milliseconds), and ISO text written around edgealchemy, with or without an offset. All read as UTC.
import { describe, expect, it } from "vitest"
import { parseSqliteTimestamp, sqliteTimestamp } from "../../src/dialects/sqlite/codecs.ts"

describe("SQLite timestamps", () => {
  it("read ours, CURRENT_TIMESTAMP's and ISO text as the same instants", () => {
    const iso = (text: string) => parseSqliteTimestamp(text).toISOString()
    expect(iso("2024-05-06 10:11:12.345")).toBe("2024-05-06T10:11:12.345Z")
    expect(iso("2024-05-06 10:11:12")).toBe("2024-05-06T10:11:12.000Z")
    expect(iso("0001-01-01 00:00:00.000")).toBe("0001-01-01T00:00:00.000Z")
    expect(iso("2024-05-06T10:11:12.3")).toBe("2024-05-06T10:11:12.300Z")
    expect(iso("2024-05-06 12:11:12+02:00")).toBe("2024-05-06T10:11:12.000Z")
    expect(iso("2024-05-06T10:11:12Z")).toBe("2024-05-06T10:11:12.000Z")
    for (const date of [new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)), new Date(0), new Date(-1)]) {
      expect(parseSqliteTimestamp(sqliteTimestamp(date)).getTime()).toBe(date.getTime())
    }
  })
})
