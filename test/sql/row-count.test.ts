// LIMIT and OFFSET given a negative number, a fraction or text: SQLite took limit(-1) as no limit (every
// row) where PostgreSQL failed, and each took a fraction its own way. Refused alike before anything is
// sent; undefined or null is none, as before.
import { describe, expect, it } from "vitest"
import {
  column,
  Integer,
  InvalidRequestError,
  literal,
  MetaData,
  postgresql,
  select,
  sqlite,
  table,
} from "../../src/index.ts"

const items = table("rc_items", { id: column(Integer, { primaryKey: true }) }, { metadata: new MetaData() })

describe("limit() and offset()", () => {
  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "10", 2 ** 53])("refuse %s", (count) => {
    expect(() => select(items.c.id).limit(count as number)).toThrow(InvalidRequestError)
    expect(() => select(items.c.id).offset(count as number)).toThrow(
      /offset\(\) takes a whole number from 0, got/,
    )
    expect(() =>
      select(items.c.id)
        .union(select(items.c.id))
        .limit(count as number),
    ).toThrow(/limit\(\) takes a whole number from 0, got/)
  })

  it("take 0, whole numbers, expressions, and undefined or null for none", () => {
    expect(select(items.c.id).limit(0).offset(3).compile(sqlite).sql).toBe(
      'SELECT "rc_items"."id" FROM "rc_items" LIMIT ? OFFSET ?',
    )
    expect(select(items.c.id).limit(literal(5)).compile(postgresql).sql).toContain("LIMIT")
    for (const none of [undefined, null]) {
      expect(
        select(items.c.id)
          .limit(10)
          .limit(none as never)
          .offset(none as never)
          .compile(postgresql).sql,
      ).toBe('SELECT "rc_items"."id" FROM "rc_items"')
    }
  })
})
