// A value selected alone (`select(User.id, literal(10).label("ten"))`) was a bare $n, which PostgreSQL
// types as text; the column of a subquery or CTE that selects it was text too. So `ten > 5` compared
// text ('10' > '5' is false) and PostgreSQL silently answered no rows where SQLite answered all;
// `ten + 1` failed ('operator does not exist: text + unknown'), as did a recursive CTE counting from
// literal(1). SQLAlchemy's asyncpg dialect renders such a parameter with its type ($1::INTEGER); so does
// edgealchemy now for a whole number selected alone (a text value needs none; a boolean there fails
// aloud, `flag = true` comparing text with a boolean), and both databases answer alike.
import { describe, expect, it } from "vitest"
import { postgresql } from "../../src/dialects/postgresql/dialect.ts"
import { literal, select } from "../../src/index.ts"
import { fixtures, rows, seededEngine } from "./fixture.ts"
import { models } from "./models.ts"

const m = models("q8_vst")
const { User } = m

describe("PostgreSQL SQL of a value selected alone", () => {
  it("casts a whole number to its type, and nothing where a column types it", () => {
    const { sql } = select(literal(10).label("ten"), literal(true), literal("x"), User.id.add(literal(1)))
      .where(User.age.gt(literal(5)))
      .limit(2)
      .compile(postgresql)
    expect(sql).toBe(
      'SELECT $1::INTEGER AS "ten", $2, $3, "q8_vst_users"."id" + $4 FROM "q8_vst_users" WHERE "q8_vst_users"."age" > $5 LIMIT $6',
    )
  })
})

for (const fixture of fixtures()) {
  describe(`a value selected alone, read through a subquery or CTE, on ${fixture.name}`, () => {
    const engine = seededEngine(fixture, "value-typed", m)

    it("compares as a number, not as text", async () => {
      const s = select(User.id, literal(10).label("ten")).subquery()
      expect(await rows(engine, select(s.c.id).where(s.c.ten.gt(5)).orderBy(s.c.id))).toEqual([[1], [2], [3]])
    })

    it("adds as a number", async () => {
      const s = select(User.id, literal(10).label("ten")).subquery()
      expect(await rows(engine, select(s.c.id, s.c.ten.add(1)).where(s.c.id.eq(1)))).toEqual([[1, 11]])
    })

    it("counts in a recursive CTE from literal(1)", async () => {
      const start = select(literal(1).label("n")).cte("counter", { recursive: true })
      const counter = start.unionAll(select(start.c.n.add(1)).where(start.c.n.lt(4)))
      expect(await rows(engine, select(counter.c.n).orderBy(counter.c.n.desc()))).toEqual([
        [4],
        [3],
        [2],
        [1],
      ])
    })
  })
}
