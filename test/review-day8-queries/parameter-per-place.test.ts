// One value node used in places PostgreSQL types differently was one `$n` (2471805 shares a node's
// parameter so that GROUP BY matches the select list): `trim($1)` made $1 text and `id < $1` then
// compared an integer with text, so PostgreSQL refused ('operator does not exist: integer < text')
// what SQLite answered. A value now shares its parameter only where the same expression node holds it
// (an expression used twice, as GROUP BY needs); in two different places it is two parameters, and
// both databases answer alike.
import { describe, expect, it } from "vitest"
import { postgresql } from "../../src/dialects/postgresql/dialect.ts"
import { caseWhen, func, literal, select } from "../../src/index.ts"
import { fixtures, rows, seededEngine } from "./fixture.ts"
import { models } from "./models.ts"

const m = models("q8_ppp")
const { User } = m

describe("PostgreSQL placeholders of a value used in several places", () => {
  it("are one per place the value stands in, one for an expression used twice", () => {
    const two = literal(2)
    const { sql, params } = select(func.trim(two), User.id.add(two))
      .where(User.id.lt(two))
      .compile(postgresql)
    expect(sql).toBe(
      'SELECT trim($1), "q8_ppp_users"."id" + $2 FROM "q8_ppp_users" WHERE "q8_ppp_users"."id" < $3',
    )
    expect(params).toEqual([2, 2, 2])
    const bucket = User.id.add(two)
    const grouped = select(bucket, func.count()).groupBy(bucket).compile(postgresql)
    expect(grouped.sql).toBe(
      'SELECT "q8_ppp_users"."id" + $1, count(*) FROM "q8_ppp_users" GROUP BY "q8_ppp_users"."id" + $1',
    )
  })
})

for (const fixture of fixtures()) {
  describe(`a value used in places of different types on ${fixture.name}`, () => {
    const engine = seededEngine(fixture, "param-place", m)

    it("a value in an untyped function and beside an integer column", async () => {
      const two = literal(2)
      const query = select(User.c.name, func.trim(two)).where(User.id.lt(two))
      expect(await rows(engine, query)).toEqual([["ada", "2"]])
    })

    it("a value labelled, alone in the select list and beside a column", async () => {
      const five = literal(5).label("five")
      const query = select(five, User.id.add(five)).where(User.id.eq(1))
      expect(await rows(engine, query)).toEqual([[5, 6]])
    })

    it("a CASE used twice still groups, its values shared between the two", async () => {
      const older = caseWhen([[User.age.gt(literal(35)), "older"]], "younger")
      const query = select(older, func.count()).groupBy(older).orderBy(older)
      expect(await rows(engine, query)).toEqual([
        ["older", 1],
        ["younger", 2],
      ])
    })
  })
}
