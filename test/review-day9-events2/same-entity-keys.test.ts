// A model and an unnamed alias of it selected together were both keyed by the model's name: Result.keys
// said ["Book", "Book"], and mappings() kept one of the two objects (the alias's, under "Book"), where
// two values of one name were already told apart (`total`, `total_1`). Entity keys now take the next free
// `_1` too; a named alias keeps its name.
import { describe, expect, it } from "vitest"
import { AsyncSession, aliased, insert, select } from "../../src/index.ts"
import { eventModels, fixtures, suiteEngine } from "../review-day9-events/models.ts"

const { registry, Book } = eventModels("samekey")

for (const fixture of fixtures()) {
  describe(`a model and an unnamed alias of it in one row, on ${fixture.name}`, () => {
    const { engine } = suiteEngine(fixture, "samekey", registry)

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

    it("has a key for each, and mappings() both objects", async () => {
      await using session = new AsyncSession(engine)
      const next = aliased(Book)
      const result = await session.execute(
        select(Book, next, next.total)
          .join(next, next.id.eq(Book.id.add(1)))
          .orderBy(Book.id),
      )
      expect(result.keys).toEqual([Book.name, `${Book.name}_1`, "total"])
      const [row = {}] = result.mappings()
      expect(Object.keys(row)).toEqual([Book.name, `${Book.name}_1`, "total"])
      expect((row[Book.name] as InstanceType<typeof Book>).title).toBe("first")
      expect((row[`${Book.name}_1`] as InstanceType<typeof Book>).title).toBe("second")
      expect(row.total).toBe(35)
    })

    it("a named alias keeps its name", async () => {
      await using session = new AsyncSession(engine)
      const next = aliased(Book, "next_book")
      const result = await session.execute(select(Book, next).join(next, next.id.eq(Book.id.add(1))))
      expect(result.keys).toEqual([Book.name, "next_book"])
    })
  })
}
