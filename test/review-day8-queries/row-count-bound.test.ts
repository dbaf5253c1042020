// A LIMIT or OFFSET given as a bindparam() with a negative value was no limit on SQLite (every row came
// back) and an error on PostgreSQL ('LIMIT must not be negative'). SQLite now refuses it too, before
// sending, with a DataError in PostgreSQL's words; a fraction or a string is the Integer check's
// DataError on both, before sending; a whole number from 0 (0 included) limits alike on both.
import { describe, expect, it } from "vitest"
import { bindparam, DataError, Integer, select } from "../../src/index.ts"
import { Bound } from "../../src/sql/bound.ts"
import { fixtures, rows, seededEngine } from "./fixture.ts"
import { models } from "./models.ts"

const m = models("q8_rcb")
const { User } = m

for (const fixture of fixtures()) {
  describe(`limit() and offset() of a bindparam() on ${fixture.name}`, () => {
    const engine = seededEngine(fixture, "row-count", m)
    const page = select(User.id)
      .orderBy(User.id)
      .limit(bindparam("size", Integer))
      .offset(bindparam("skip", Integer))

    it("limits and skips by the values given, 0 included", async () => {
      expect(await rows(engine, new Bound(page, { size: 2, skip: 1 }))).toEqual([[2], [3]])
      expect(await rows(engine, new Bound(page, { size: 0, skip: 0 }))).toEqual([])
      expect(await rows(engine, new Bound(page, { size: 5, skip: 0 }))).toEqual([[1], [2], [3]])
      const skipped = select(User.id).orderBy(User.id).offset(bindparam("skip", Integer))
      expect(await rows(engine, new Bound(skipped, { skip: 2 }))).toEqual([[3]])
    })

    it("a negative value is the same DataError on both, and no rows", async () => {
      for (const [values, message] of [
        [{ size: -1, skip: 0 }, "LIMIT must not be negative"],
        [{ size: 2, skip: -1 }, "OFFSET must not be negative"],
      ] as const) {
        const error = await rows(engine, new Bound(page, values)).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(DataError)
        expect((error as Error).message).toContain(message)
      }
    })

    it("a fraction or a string is refused as an Integer's value, on both", async () => {
      for (const size of [1.5, "2"]) {
        const error = await rows(engine, new Bound(page, { size, skip: 0 })).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(DataError)
        expect((error as Error).message).toMatch(/^An integer value cannot hold/)
      }
    })
  })
}
