// Minimal cases the model-based session test (./session-model.test.ts) found, each on its own.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, inspect, NotLoadedError, select, selectinload } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { Author, Book, Category, registry, Tag } from "./models.ts"

const neonHttp = neonFixture("http", ws)
const libsqlHttp = libsqlHttpFixture()

for (const fixture of [neonHttp, libsqlHttp]) {
  describe(`model-based regressions on ${fixture.name}`, () => {
    const engine = fixture.engine(`mbr-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let n = 0
    const label = (what: string) => `reg${fixture.name[0]}${++n}${what}`

    it("a pending book taken out of its author's collection is not inserted (delete-orphan expunges a pending orphan)", async () => {
      await using session = new AsyncSession(engine)
      const author = new Author({ label: label("a"), name: "ann" })
      session.add(author)
      await session.commit()
      await session.refresh(author, ["books"])
      const book = new Book({ label: label("b"), title: "t", author } as never)
      session.add(book)
      author.books.splice(author.books.indexOf(book), 1)
      expect(inspect(book).state).toBe("transient")
      await session.commit()
      const titles = await session.scalars(select(Book).where(Book.authorId.eq(author.id)))
      expect(titles.all()).toEqual([])
    })

    it("a new book pushed into its author's collection and taken out again is not inserted through its category's collection", async () => {
      await using session = new AsyncSession(engine)
      const author = new Author({ label: label("a"), name: "ann" })
      const category = new Category({ label: label("c"), name: "c" })
      session.addAll([author, category])
      // Both collections loaded (new objects' are), as they stay after the commit.
      expect([author.books, category.books]).toEqual([[], []])
      await session.commit()
      const book = new Book({ label: label("b"), title: "t", category } as never)
      author.books.push(book)
      author.books.splice(0, 1)
      expect(category.books).toEqual([book])
      await session.commit()
      expect(inspect(book).state).toBe("transient")
      const books = await engine.execute(select(Book.c.id).where(Book.c.categoryId.eq(category.id)))
      expect(books.rows).toEqual([])
    })

    it("deleting an author drops its new book, and the book's link from a tag's loaded collection is not written", async () => {
      await using session = new AsyncSession(engine)
      const author = new Author({ label: label("a"), name: "ann" })
      const tag = new Tag({ label: label("t"), name: "x" })
      session.addAll([author, tag])
      expect([author.books, tag.books]).toEqual([[], []])
      await session.commit()
      const book = new Book({ label: label("b"), title: "t", author } as never)
      session.add(book)
      book.tags.push(tag)
      expect(tag.books).toEqual([book])
      session.delete(author)
      // Was: InvalidRequestError "Book is linked to but not part of the flush".
      await session.commit()
      expect(inspect(book).state).toBe("transient")
      const authors = await engine.execute(select(Author.c.id).where(Author.c.id.eq(author.id)))
      expect(authors.rows).toEqual([])
    })

    it("rollback() unloads a collection that a query inside the transaction loaded: the book it inserted is not inserted again", async () => {
      await using session = new AsyncSession(engine)
      const author = new Author({ label: label("a"), name: "ann" })
      session.add(author)
      await session.commit()
      const book = new Book({ label: label("b"), title: "rolled back", author } as never)
      session.add(book)
      // Autoflushes the book inside an interactive transaction, then loads author.books with it.
      await session.scalars(select(Author).where(Author.id.eq(author.id)).options(selectinload(Author.books)))
      expect(author.books).toEqual([book])
      await session.rollback()
      expect(inspect(book).state).toBe("transient")
      // The database no longer has the book: the collection is not what it says it is.
      expect(() => author.books).toThrow(NotLoadedError)
      session.add(new Book({ label: label("b"), title: "kept", author } as never))
      await session.commit()
      const titles = await engine.execute(select(Book.c.title).where(Book.c.authorId.eq(author.id)))
      expect(titles.rows.map(([title]) => title)).toEqual(["kept"])
    })

    it("rollback() unloads a many-to-many collection whose link a flush inside the transaction wrote", async () => {
      await using session = new AsyncSession(engine)
      const author = new Author({ label: label("a"), name: "ann" })
      const book = new Book({ label: label("b"), title: "t", author } as never)
      const tag = new Tag({ label: label("t"), name: "x" })
      session.addAll([author, book, tag])
      await session.commit()
      await session.refresh(book, ["tags"])
      book.tags.push(tag)
      await session.flush()
      await session.rollback()
      expect(() => book.tags).toThrow(NotLoadedError)
      await session.refresh(book, ["tags"])
      expect(book.tags).toEqual([])
    })
  })
}
