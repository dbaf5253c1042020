// SQLAlchemy users order with functions: select(User).order_by(desc(User.created_at)), nulls_last(...),
// and a relationship's order_by=desc(...). Only the methods existed here (User.createdAt.desc()), and
// `import { desc } from "edgealchemy"` failed to compile and, in JavaScript, to load. desc(), asc(),
// nullsFirst() and nullsLast() are those functions, the same orderings as the methods; anything but an
// expression (a string, a model) is refused, as orderBy() refuses it.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  asc,
  column,
  DateTime,
  desc,
  Integer,
  InvalidRequestError,
  model,
  nullsFirst,
  nullsLast,
  Registry,
  registerModels,
  relationship,
  String,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()

class Shelf extends model(
  "r11nc_shelves",
  {
    id: column(Integer, { primaryKey: true }),
    books: relationship<Book[]>("Book", { orderBy: () => [desc(Book.rank), asc(Book.id)] }),
  },
  { registry },
) {}

class Book extends model(
  "r11nc_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(50)),
    rank: column(Integer, { nullable: true }),
    shelfId: column(Integer, { name: "shelf_id", foreignKey: "r11nc_shelves.id" }),
    readAt: column(DateTime, { name: "read_at", nullable: true }),
  },
  { registry },
) {}
registerModels(Shelf, Book)

describe("desc(), asc(), nullsFirst(), nullsLast() as functions", () => {
  it("compile as the methods do", () => {
    const byFunctions = select(Book).orderBy(desc(Book.rank), asc(Book.title), nullsLast(desc(Book.readAt)))
    const byMethods = select(Book).orderBy(Book.rank.desc(), Book.title.asc(), Book.readAt.desc().nullsLast())
    expect(byFunctions.toString()).toBe(byMethods.toString())
    expect(byFunctions.toString()).toContain(
      'ORDER BY "r11nc_books"."rank" DESC, "r11nc_books"."title" ASC, "r11nc_books"."read_at" DESC NULLS LAST',
    )
    // An expression alone is ascending, as in orderBy().
    expect(select(Book).orderBy(nullsFirst(Book.rank)).toString()).toContain(
      'ORDER BY "r11nc_books"."rank" ASC NULLS FIRST',
    )
  })

  it("refuse what is not an expression, as orderBy() does", () => {
    for (const wrong of ["rank", Book, undefined]) {
      expect(() => desc(wrong as never)).toThrow(InvalidRequestError)
      expect(() => nullsLast(wrong as never)).toThrow(InvalidRequestError)
    }
    expect(() => asc("rank" as never)).toThrow(/literalColumn\("\.\.\."\) for SQL/)
  })
})

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`ordering functions on ${fixture.name}`, () => {
    const scope = `r11nc-order-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    it("order a query's rows and a relationship's collection", async () => {
      await using session = new AsyncSession(engine)
      const shelf = new Shelf({ books: [] })
      for (const [title, rank, readAt] of [
        ["a", 2, null],
        ["b", null, new Date("2024-01-02T00:00:00Z")],
        ["c", 5, new Date("2024-01-01T00:00:00Z")],
        ["d", 2, null],
      ] as const) {
        shelf.books.push(new Book({ title, rank, readAt }))
      }
      session.add(shelf)
      await session.commit()

      const titles = async (...order: Parameters<ReturnType<typeof select>["orderBy"]>) =>
        (await session.scalars(select(Book).orderBy(...order))).all().map((book) => book.title)
      // NULLs placed the same on both databases once said.
      expect(await titles(nullsLast(desc(Book.rank)), asc(Book.title))).toEqual(["c", "a", "d", "b"])
      expect(await titles(nullsFirst(asc(Book.rank)), desc(Book.title))).toEqual(["b", "d", "a", "c"])
      expect(await titles(nullsLast(Book.readAt), Book.title)).toEqual(["c", "b", "a", "d"])

      // The relationship's orderBy, written with the functions, on a fresh load.
      const id = shelf.id
      session.expungeAll()
      const loaded = await session.get(Shelf, id)
      await session.refresh(loaded as Shelf, ["books"])
      const order = (loaded as Shelf).books.map((book) => book.title)
      // rank DESC puts NULL first on PostgreSQL and last on SQLite; then 5, then the 2s by id.
      expect(order).toEqual(
        engine.dialect.name === "postgresql" ? ["b", "c", "a", "d"] : ["c", "a", "d", "b"],
      )
    })
  })
}
