// in() given a select of more than one column: `id IN (SELECT user_id, id ...)`. PostgreSQL refused it
// with a ProgrammingError ('subquery has too many columns'), SQLite with an OperationalError ('sub-select
// returns 2 columns - expected 1'): two error classes for one mistake, found only once sent. It is now
// refused before anything is sent, alike on both, with an InvalidRequestError; a select of one column
// (or a union of such) still works.
import { describe, expect, it } from "vitest"
import { InvalidRequestError, postgresql, select, sqlite } from "../../src/index.ts"
import { fixtures, rows, seededEngine } from "../review-day8-queries/fixture.ts"
import { models } from "../review-day8-queries/models.ts"

const m = models("q8b_isc")
const { User, Post } = m

describe("in() with a select of several columns, compiled", () => {
  it("is refused on both dialects: two columns, an entity, a union of two columns", () => {
    const twoColumns = select(User.id).where(User.id.in(select(Post.userId, Post.id)))
    const entity = select(User.id).where(User.id.notIn(select(Post)))
    const union = select(User.id).where(
      User.id.in(select(Post.userId, Post.id).union(select(Post.id, Post.userId))),
    )
    for (const dialect of [postgresql, sqlite]) {
      for (const statement of [twoColumns, entity, union]) {
        expect(() => statement.compile(dialect)).toThrow(InvalidRequestError)
        expect(() => statement.compile(dialect)).toThrow("in() takes one column")
      }
    }
  })
})

for (const fixture of fixtures()) {
  describe(`in() with a select on ${fixture.name}`, () => {
    const engine = seededEngine(fixture, "in-cols", m)

    it("refuses two columns before sending, with InvalidRequestError", async () => {
      const sent: string[] = []
      engine.on("statement", (event) => sent.push(event.sql))
      const statement = select(User.id).where(User.id.in(select(Post.userId, Post.id)))
      await expect(rows(engine, statement)).rejects.toThrow(InvalidRequestError)
      expect(sent.filter((sql) => sql.includes("IN ("))).toEqual([])
    })

    it("one column, and a union of one column, still select", async () => {
      const one = select(User.id)
        .where(User.id.in(select(Post.userId)))
        .orderBy(User.id)
      expect(await rows(engine, one)).toEqual([[1], [3]])
      const union = select(User.id)
        .where(User.id.notIn(select(Post.userId.label("u")).union(select(Post.id.label("u")))))
        .orderBy(User.id)
      expect(await rows(engine, union)).toEqual([])
      const label = select(User.id).where(User.id.in(select(Post.id.label("p")).where(Post.id.gt(2))))
      expect(await rows(engine, label)).toEqual([[3]])
    })
  })
}
