// Two select items labelled alike and ORDER BY one of them: `ORDER BY "x"` named both, and PostgreSQL
// refused it ('ORDER BY "x" is ambiguous') where SQLite ordered by the first. SQLAlchemy orders by the
// label's expression when the name is not the select list's alone; so does edgealchemy now, and both
// databases order by the label that was asked for, also when it is the second of the two.
import { describe, expect, it } from "vitest"
import { select } from "../../src/index.ts"
import { fixtures, rows, seededEngine } from "./fixture.ts"
import { models } from "./models.ts"

const m = models("q8_dlo")
const { User } = m

describe("SQL of ORDER BY a label whose name the select list gives twice", () => {
  it("orders by the label's expression; a name given once still orders by the name", () => {
    const first = User.id.label("x")
    const second = User.age.label("x")
    expect(select(first, second).orderBy(second.desc()).compile().sql).toBe(
      // The second is named x_1, as SQLAlchemy's select disambiguates a repeated name (a subquery of both
      // has two columns to tell apart: review-day9-events2/same-label-hybrids).
      'SELECT "q8_dlo_users"."id" AS "x", "q8_dlo_users"."age" AS "x_1" FROM "q8_dlo_users" ORDER BY "q8_dlo_users"."age" DESC',
    )
    expect(select(first, User.age).orderBy(first).compile().sql).toBe(
      'SELECT "q8_dlo_users"."id" AS "x", "q8_dlo_users"."age" FROM "q8_dlo_users" ORDER BY "x" ASC',
    )
  })
})

for (const fixture of fixtures()) {
  describe(`ORDER BY one of two labels of one name on ${fixture.name}`, () => {
    const engine = seededEngine(fixture, "dup-label", m)

    it("orders by the label asked for, the first or the second", async () => {
      const byId = User.id.label("x")
      const byName = User.c.name.label("x")
      expect(await rows(engine, select(byId, byName).orderBy(byId.desc()))).toEqual([
        [3, "cy"],
        [2, "bob"],
        [1, "ada"],
      ])
      const reversed = User.c.name.concat("!").label("x")
      expect(await rows(engine, select(User.id.label("x"), reversed).orderBy(reversed))).toEqual([
        [1, "ada!"],
        [2, "bob!"],
        [3, "cy!"],
      ])
    })

    it("one label selected twice orders too", async () => {
      const age = User.age.label("a")
      expect(await rows(engine, select(age, age).where(User.age.isNotNull()).orderBy(age.desc()))).toEqual([
        [40, 40],
        [30, 30],
      ])
    })
  })
}
