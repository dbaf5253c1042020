// Two hybrids of the same name selected together (a model's and its alias's) were both labelled `total`
// in the SQL. Result keys already told them apart (`total`, `total_1`), but as a subquery or CTE the
// select had two columns named alike: PostgreSQL refused 'column reference "total" is ambiguous', and
// SQLite read the first column for both, so the alias's total was silently the model's (and selecting
// the subquery whole gave one `total`). SQLAlchemy's select disambiguates a repeated name
// (LABEL_STYLE_DISAMBIGUATE_ONLY); the second label is now `total_1` in the SQL too, as a second
// column of a name already taken is, and the subquery has a column of each name.
import { describe, expect, it } from "vitest"
import { AsyncSession, aliased, type Column, insert, select } from "../../src/index.ts"
import { eventModels, fixtures, suiteEngine } from "../review-day9-events/models.ts"

const { registry, Book } = eventModels("samelabel")

for (const fixture of fixtures()) {
  describe(`a model's and its alias's hybrid selected together, on ${fixture.name}`, () => {
    const { engine } = suiteEngine(fixture, "samelabel", registry)
    const sequel = aliased(Book, "sequel")
    // Each book beside the next: 2 * 3 = 6 and 5 * 7 = 35.
    const pairs = () =>
      select(Book.id, Book.total, sequel.total)
        .join(sequel, sequel.id.eq(Book.id.add(1)))
        .orderBy(Book.id)

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(Book).values([
          { id: 1, title: "first", price: 2, qty: 3 },
          { id: 2, title: "second", price: 5, qty: 7 },
        ]),
      )
      await session.commit()
    })

    it("the rows have a key for each", async () => {
      await using session = new AsyncSession(engine)
      const result = await session.execute(pairs())
      expect(result.keys).toEqual(["id", "total", "total_1"])
      expect(result.mappings()).toEqual([{ id: 1, total: 6, total_1: 35 }])
    })

    it("a subquery of them has a column of each name, each with its own values", async () => {
      await using session = new AsyncSession(engine)
      const pair = pairs().subquery()
      // Its type names one total (the hybrids' labels are alike); the second is there by its SQL name.
      expect(pair.columns.map((column) => column.key)).toEqual(["id", "total", "total_1"])
      const [, total, sequelTotal] = pair.columns
      const result = await session.execute(select(total as Column<number>, sequelTotal as Column<number>))
      expect(result.mappings()).toEqual([{ total: 6, total_1: 35 }])
    })

    it("so has a CTE, and an explicit label of the name taken keeps its own", async () => {
      await using session = new AsyncSession(engine)
      const pair = select(Book.total, sequel.total, Book.price.label("total_1"))
        .join(sequel, sequel.id.eq(Book.id.add(1)))
        .cte("pair")
      expect(pair.columns.map((column) => column.key)).toEqual(["total", "total_2", "total_1"])
      const result = await session.execute(select(...(pair.columns as Column<number>[])))
      expect(result.mappings()).toEqual([{ total: 6, total_2: 35, total_1: 2 }])
    })
  })
}
