// A UNION ordered by a label whose name its first member gives twice: `... UNION ... ORDER BY "x"`
// named both output columns, and PostgreSQL refused it ('ORDER BY "x" is ambiguous') where SQLite
// ordered by the first. SQLAlchemy renders the name too (the database's error there). A column or a
// label of the first member's now orders by its position, as a column did already: both databases
// order by the label asked for, the first or the second of that name.
import { describe, expect, it } from "vitest"
import { postgresql, select } from "../../src/index.ts"
import { fixtures, rows, seededEngine } from "../review-day8-queries/fixture.ts"
import { models } from "../review-day8-queries/models.ts"

const m = models("q8b_udl")
const { User, Post } = m

function union() {
  const first = User.id.label("x")
  const second = User.age.label("x")
  const statement = select(first, second).union(select(Post.id.label("x"), Post.userId.label("x")))
  return { first, second, statement }
}

describe("SQL of a UNION ordered by a label of its first member", () => {
  it("orders by the label's position; a label of another member by its name", () => {
    const { first, second, statement } = union()
    expect(statement.orderBy(second.desc(), first).compile(postgresql).sql).toMatch(
      / ORDER BY 2 DESC, 1 ASC$/,
    )
    const other = Post.id.label("y")
    const byName = select(User.id.label("y")).union(select(other)).orderBy(other)
    expect(byName.compile(postgresql).sql).toMatch(/ ORDER BY "y" ASC$/)
  })
})

for (const fixture of fixtures()) {
  describe(`UNION ordered by one of two labels of one name on ${fixture.name}`, () => {
    const engine = seededEngine(fixture, "union-dup", m)

    it("orders by the label asked for, the first or the second", async () => {
      const { first, second, statement } = union()
      expect(await rows(engine, statement.orderBy(first.desc(), second.asc().nullsLast()))).toEqual([
        [3, 3],
        [3, 40],
        [2, 1],
        [2, null],
        [1, 1],
        [1, 30],
      ])
      expect(await rows(engine, statement.orderBy(second.desc().nullsLast(), first))).toEqual([
        [3, 40],
        [1, 30],
        [3, 3],
        [1, 1],
        [2, 1],
        [2, null],
      ])
    })
  })
}
