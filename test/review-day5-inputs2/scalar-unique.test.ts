// ScalarResult.unique(), as SQLAlchemy 2.0's `scalars(...).unique()`: code ported from SQLAlchemy calls
// it after a joinedload, and a join to a collection repeats its owner once per member. Repeated values
// are left out, the first kept: entities (one object per row in a session) by identity, values by value.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  joinedload,
  model,
  Registry,
  relationship,
  String,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Writer extends model(
  "r5j_uniq_writers",
  {
    id: column(Integer, { primaryKey: true }),
    nick: column(String(40)),
    books: relationship<Book[]>("Book", { backPopulates: "writer" }),
  },
  { registry },
) {}
class Book extends model(
  "r5j_uniq_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    shelf: column(String(10), { nullable: true }),
    writerId: column(Integer, { foreignKey: "r5j_uniq_writers.id" }),
    writer: relationship<Writer>("Writer", { backPopulates: "books" }),
  },
  { registry },
) {}
registry.registerModels(Writer, Book)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`scalars(...).unique() on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5j-uniq-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("gives each entity once, first kept, in the order the rows had them", async () => {
      {
        await using session = new AsyncSession(engine)
        const ann = new Writer({ id: 1, nick: "ann" })
        const bob = new Writer({ id: 2, nick: "bob" })
        const cy = new Writer({ id: 3, nick: "cy" })
        session.addAll([ann, bob, cy])
        for (const [id, writer, shelf] of [
          [1, bob, "a"],
          [2, ann, null],
          [3, bob, "a"],
          [4, ann, "b"],
          [5, bob, null],
        ] as const) {
          session.add(new Book({ id, title: `b${id}`, shelf, writer } as never))
        }
        await session.commit()
      }
      await using session = new AsyncSession(engine)
      const joined = select(Writer).join(Writer.books).orderBy(Book.id)
      const rows = await session.scalars(joined)
      expect(rows.all().map((writer) => writer.nick)).toEqual(["bob", "ann", "bob", "ann", "bob"])
      const once = rows.unique()
      expect(once.all().map((writer) => writer.nick)).toEqual(["bob", "ann"])
      expect(once.all()[0]).toBe(rows.all()[0])
      // The result it came from keeps every row; unique() is a new result with the usual methods.
      expect(rows.all()).toHaveLength(5)
      expect(once.first()?.nick).toBe("bob")
      expect(() => once.one()).toThrow(/Expected one row, got 2/)
      expect((await session.scalars(joined.where(Book.id.eq(2)))).unique().one().nick).toBe("ann")
    })

    it("compares other values by value, null included", async () => {
      await using session = new AsyncSession(engine)
      const shelves = await session.scalars(select(Book.shelf).orderBy(Book.id))
      expect(shelves.all()).toEqual(["a", null, "a", "b", null])
      expect(shelves.unique().all()).toEqual(["a", null, "b"])
      const writerIds = await session.scalars(select(Book.writerId).orderBy(Book.id))
      expect([...writerIds.unique()]).toEqual([2, 1])
    })

    it("runs ported joinedload code unchanged: every book once", async () => {
      await using session = new AsyncSession(engine)
      const books = (await session.scalars(select(Book).options(joinedload(Book.writer)).orderBy(Book.id)))
        .unique()
        .all()
      expect(books.map((book) => [book.title, book.writer.nick])).toEqual([
        ["b1", "bob"],
        ["b2", "ann"],
        ["b3", "bob"],
        ["b4", "ann"],
        ["b5", "bob"],
      ])
    })
  })
}
