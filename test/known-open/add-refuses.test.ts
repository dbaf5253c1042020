// session.add() refuses what it cannot save, with nothing changed, as SQLAlchemy's add() raises
// InvalidRequestError ("Object ... is already attached to session '1' (this is '2')" from
// `_before_attach`, "Instance ... has been deleted. Use the make_transient() function ..." from
// `_update_impl`): an object of another session, or one whose row a flush deleted, whether given
// directly, with addAll(), or reached through a loaded relationship that cascades save-update. Before,
// add() skipped such an object (or, given directly, attached a deleted one as persistent): the
// application believed it saved, and it was not. Assigning one into a relationship of an object that
// is in a session is refused at the assignment, as SQLAlchemy's backref cascade refuses it there; a
// write the collection cannot see (an index write) is refused by the flush, before anything is sent.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  inspect,
  model,
  Registry,
  relationship,
  String,
  select,
  table,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
const bookTags = table(
  "kn_add_book_tags",
  {
    bookId: column(Integer, { primaryKey: true, foreignKey: "kn_add_books.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "kn_add_tags.id" }),
  },
  { metadata: registry.metadata },
)
class Author extends model(
  "kn_add_authors",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    books: relationship<Book[]>("Book", { backPopulates: "author" }),
  },
  { registry },
) {}
class Book extends model(
  "kn_add_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    authorId: column(Integer, { nullable: true, foreignKey: "kn_add_authors.id" }),
    author: relationship<Author | null>("Author", { backPopulates: "books" }),
    tags: relationship<Tag[]>("Tag", { secondary: bookTags }),
  },
  { registry },
) {}
class Tag extends model(
  "kn_add_tags",
  { id: column(Integer, { primaryKey: true }), name: column(String(40)) },
  { registry },
) {}
registry.registerModels(Author, Book, Tag)

const attached = /is already attached to session \d+ \(this is \d+\)/
const deleted = /has been deleted/

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`add() refuses objects it cannot save on ${fixture.name}`, () => {
    const engine = fixture.engine(`kn-add-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    /** A book committed by and still held in a session of its own. */
    async function foreignBook(title: string): Promise<{ book: Book; other: AsyncSession }> {
      const other = new AsyncSession(engine)
      const book = new Book({ title })
      other.add(book)
      await other.commit()
      return { book, other }
    }

    /** An author deleted and committed: detached, its row gone. */
    async function deletedAuthor(): Promise<Author> {
      await using session = new AsyncSession(engine)
      const author = new Author({ name: "gone" })
      session.add(author)
      await session.commit()
      session.delete(author)
      await session.commit()
      expect(inspect(author).state).toBe("detached")
      return author
    }

    const count = async (model: typeof Author | typeof Book, title: string) => {
      const column = model === Author ? Author.c.name : Book.c.title
      return (await engine.execute(select(column).where(column.eq(title)))).rows.length
    }

    it("refuses an object of another session given directly, naming it", async () => {
      const { book, other } = await foreignBook("direct")
      await using session = new AsyncSession(engine)
      expect(() => session.add(book)).toThrow(InvalidRequestError)
      expect(() => session.add(book)).toThrow(
        new RegExp(`^Book \\(${book.id}\\) belongs to another session: it ${attached.source}`),
      )
      expect(inspect(book).state).toBe("persistent")
      expect(stateSession(book)).toBe(other)
      await other.close()
    })

    it("refuses a deleted, detached object given directly instead of making it persistent again", async () => {
      const author = await deletedAuthor()
      await using session = new AsyncSession(engine)
      // Was: attached as persistent, for a row that no longer exists.
      expect(() => session.add(author)).toThrow(new RegExp(`^Author \\(${author.id}\\) ${deleted.source}`))
      expect(inspect(author).state).toBe("detached")
      author.name = "back"
      await session.commit()
      expect(await count(Author, "back")).toBe(0)
    })

    it("addAll() refuses the whole list, adding none of it", async () => {
      const { book, other } = await foreignBook("all")
      await using session = new AsyncSession(engine)
      const fresh = new Author({ name: "all-fresh" })
      expect(() => session.addAll([fresh, book])).toThrow(attached)
      expect(inspect(fresh).state).toBe("transient")
      await session.commit()
      expect(await count(Author, "all-fresh")).toBe(0)
      await other.close()
    })

    it("refuses an object of another session reached through a loaded collection, with nothing changed", async () => {
      const { book, other } = await foreignBook("in-collection")
      await using session = new AsyncSession(engine)
      const author = new Author({ name: "collector", books: [book] } as never)
      // Was: the author added and inserted; the book skipped (and its object given the new author's key).
      expect(() => session.add(author)).toThrow(
        new RegExp(`Book \\(${book.id}\\).*reached from .*Author.*${attached.source}`),
      )
      expect(inspect(author).state).toBe("transient")
      await session.commit()
      expect(await count(Author, "collector")).toBe(0)
      expect(book.authorId).toBe(null)
      expect(stateSession(book)).toBe(other)
      await other.close()
    })

    it("refuses a deleted object reached through a many-to-one, with nothing changed", async () => {
      const author = await deletedAuthor()
      await using session = new AsyncSession(engine)
      const book = new Book({ title: "orphaned", author } as never)
      // Was: the book inserted pointing at the deleted author's row (a foreign-key failure at commit).
      expect(() => session.add(book)).toThrow(new RegExp(`Author \\(${author.id}\\).*${deleted.source}`))
      expect(inspect(book).state).toBe("transient")
      expect(inspect(author).state).toBe("detached")
      await session.commit()
      expect(await count(Book, "orphaned")).toBe(0)
    })

    it("refuses an object of another session reached through a many-to-many, with nothing changed", async () => {
      const other = new AsyncSession(engine)
      const tag = new Tag({ name: "foreign" })
      other.add(tag)
      await other.commit()
      await using session = new AsyncSession(engine)
      const book = new Book({ title: "tagged", tags: [tag] } as never)
      // Was: the book inserted without its tag, and no error.
      expect(() => session.add(book)).toThrow(new RegExp(`Tag \\(${tag.id}\\).*${attached.source}`))
      expect(inspect(book).state).toBe("transient")
      await session.commit()
      expect(await count(Book, "tagged")).toBe(0)
      await other.close()
    })

    it("refuses a foreign or deleted object assigned into a relationship of a persistent one, at the assignment", async () => {
      const { book, other } = await foreignBook("assigned")
      const gone = await deletedAuthor()
      await using session = new AsyncSession(engine)
      const author = new Author({ name: "owner", books: [] } as never)
      const own = new Book({ title: "own" })
      session.addAll([author, own])
      await session.commit()
      // Was: accepted; the commit then wrote nothing of the link.
      expect(() => author.books.push(book)).toThrow(attached)
      expect(() => {
        author.books = [book]
      }).toThrow(attached)
      expect(() => {
        own.author = gone
      }).toThrow(deleted)
      expect(author.books).toEqual([])
      expect(book.authorId).toBe(null)
      expect(own.authorId).toBe(null)
      await session.commit()
      const linked = await engine.execute(select(Book.c.id).where(Book.c.authorId.eq(author.id)))
      expect(linked.rows).toEqual([])
      expect(inspect(book).state).toBe("persistent")
      expect(stateSession(book)).toBe(other)
      await other.close()
    })

    it("attaches a detached object assigned into a relationship of a persistent one, and writes the link", async () => {
      await using session = new AsyncSession(engine)
      const author = new Author({ name: "reattach", books: [] } as never)
      const book = new Book({ title: "reattached" })
      session.addAll([author, book])
      await session.commit()
      session.expunge(book)
      // Was: the book left detached and the link never written, its object saying it was.
      author.books.push(book)
      expect(inspect(book).state).toBe("persistent")
      await session.commit()
      const linked = await engine.execute(select(Book.c.authorId).where(Book.c.id.eq(book.id)))
      expect(linked.rows).toEqual([[author.id]])
    })

    it("refuses, with nothing changed, a detached object assigned when the session holds another for its row", async () => {
      await using session = new AsyncSession(engine)
      const author = new Author({ name: "twin-owner", books: [] } as never)
      const book = new Book({ title: "twin" })
      session.addAll([author, book])
      await session.commit()
      session.expunge(book)
      const again = (await session.get(Book, book.id)) as Book
      expect(again).not.toBe(book)
      expect(() => author.books.push(book)).toThrow(/Another Book object for the row/)
      expect(author.books).toEqual([])
      expect(inspect(book).state).toBe("detached")
    })

    it("refuses at the flush a foreign object written where the collection cannot see it, sending nothing", async () => {
      const { book, other } = await foreignBook("index-write")
      await using session = new AsyncSession(engine)
      const author = new Author({ name: "index-owner", books: [] } as never)
      session.add(author)
      await session.commit()
      author.name = "index-owner-renamed"
      ;(author.books as Book[])[0] = book
      await expect(session.commit()).rejects.toThrow(attached)
      expect(await count(Author, "index-owner-renamed")).toBe(0)
      expect(stateSession(book)).toBe(other)
      await other.close()
    })

    it("merge() of another session's object, with its loaded relationships, is unaffected", async () => {
      const other = new AsyncSession(engine)
      const author = new Author({ name: "merged", books: [new Book({ title: "merged-book" })] } as never)
      other.add(author)
      await other.commit()
      await using session = new AsyncSession(engine)
      const copy = await session.merge(author)
      expect(copy).not.toBe(author)
      expect(inspect(copy).state).toBe("persistent")
      expect(copy.books.map((b) => b.title)).toEqual(["merged-book"])
      expect(copy.books[0]).not.toBe(author.books[0])
      copy.name = "merged-renamed"
      await session.commit()
      expect(await count(Author, "merged-renamed")).toBe(1)
      expect(stateSession(author)).toBe(other)
      await other.close()
    })
  })
}

/** The session an object is attached to (inspect() says only its state). */
function stateSession(object: object): unknown {
  const symbol = Symbol.for("edgealchemy.state")
  return (object as Record<symbol, { session: unknown }>)[symbol]?.session
}
