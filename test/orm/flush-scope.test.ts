// A flush looks at the objects that changed and what their changes reach (src/orm/flush/scope.ts), not
// at every object the session holds. What it must still write, or put back, although the object itself
// did not change: a member a collection gained or lost (its foreign key), objects a listener changed,
// and changes made while the flush was out. Each case holds other objects the flush leaves alone.
import { afterEach, describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  inspect,
  listen,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
} from "../../src/index.ts"
import { holdNextRequest, stopHolding } from "../concurrency/held-request.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "./fresh-schema.ts"

const registry = new Registry()
class Shelf extends model(
  "fs_shelves",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(40), { unique: true }),
    // One-way: a book pushed here does not change itself; the flush sets its key from the shelf.
    books: relationship<Book[]>("Book"),
  },
  { registry },
) {}
class Book extends model(
  "fs_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    shelfId: column(Integer, { nullable: true, foreignKey: "fs_shelves.id" }),
    writerId: column(Integer, { nullable: true, foreignKey: "fs_writers.id" }),
    writer: relationship<Writer | null>("Writer", { backPopulates: "books" }),
  },
  { registry },
) {}
class Writer extends model(
  "fs_writers",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    books: relationship<Book[]>("Book", { backPopulates: "writer" }),
  },
  { registry },
) {}
registry.registerModels(Shelf, Book, Writer)

// A test that failed before its request went out leaves no fetch held for the next.
afterEach(() => stopHolding())

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`what a flush writes beyond the objects that changed, on ${fixture.name}`, () => {
    const scope = `flush-scope-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    let n = 0
    const unique = (name: string) => `${name}-${++n}`

    /** Two shelves, the first holding three books, and a writer of none; all committed. */
    async function library() {
      await using session = new AsyncSession(engine)
      const [first, second] = [new Shelf({ label: unique("first") }), new Shelf({ label: unique("second") })]
      first.books = [1, 2, 3].map((i) => new Book({ title: `book ${i}` }))
      const writer = new Writer({ name: unique("writer") })
      session.addAll([first, second, writer])
      await session.commit()
      return { first: first.id, second: second.id, books: first.books.map((b) => b.id), writer: writer.id }
    }

    async function shelfOf(bookIds: readonly number[]) {
      await using session = new AsyncSession(engine)
      const books = await session.scalars(select(Book).where(Book.id.in(bookIds)).orderBy(Book.id))
      return books.all().map((book) => [book.title, book.shelfId, book.writerId])
    }

    it("sets the key of a member a one-way collection gained, and clears the key of one it lost", async () => {
      const ids = await library()
      await using session = new AsyncSession(engine)
      const shelves = await session.scalars(
        select(Shelf)
          .where(Shelf.id.in([ids.first, ids.second]))
          .options(selectinload(Shelf.books)),
      )
      const [first, second] = shelves.all().sort((a, b) => a.id - b.id) as [Shelf, Shelf]
      const moved = first.books[0] as Book
      const dropped = first.books[1] as Book
      first.books.splice(0, 2)
      second.books.push(moved)
      expect(inspect(moved).modified).toEqual([])
      // One flush, the commit's: written by a later one, the keys would be left out of this commit.
      await session.commit()
      expect(moved.shelfId).toBe(ids.second)
      expect(dropped.shelfId).toBeNull()
      expect(inspect(moved).modified).toEqual([])
      expect(await shelfOf(ids.books)).toEqual([
        ["book 1", ids.second, null],
        ["book 2", null, null],
        ["book 3", ids.first, null],
      ])
    })

    it("sets the keys of stored members that new objects' one-way collections hold", async () => {
      const ids = await library()
      await using session = new AsyncSession(engine)
      const books = (await session.scalars(select(Book).where(Book.id.in(ids.books)).orderBy(Book.id))).all()
      const [first, second] = books as [Book, Book, Book]
      const shelf = new Shelf({ label: unique("new"), books: [first] })
      const other = new Shelf({ label: unique("other"), books: [second] })
      session.add(shelf)
      session.add(other)
      expect(inspect(first).modified).toEqual([])
      await session.commit()
      expect([first.shelfId, second.shelfId]).toEqual([shelf.id, other.id])
      expect(inspect(first).modified).toEqual([])
      expect((await shelfOf(ids.books)).map(([, shelfId]) => shelfId)).toEqual([
        shelf.id,
        other.id,
        ids.first,
      ])
    })

    it("puts back an unchanged object a listener changed when the flush fails", async () => {
      const ids = await library()
      await using session = new AsyncSession(engine)
      const [first, second] = [
        (await session.get(Shelf, ids.first)) as Shelf,
        (await session.get(Shelf, ids.second)) as Shelf,
      ]
      const bystander = (await session.get(Writer, ids.writer)) as Writer
      const name = bystander.name
      const stop = listen(Shelf, "beforeUpdate", () => {
        bystander.name = "changed by a listener"
      })
      try {
        first.label = second.label // a unique violation: the flush fails
        await expect(session.flush()).rejects.toThrow()
      } finally {
        stop()
      }
      expect(bystander.name).toBe(name)
      expect(inspect(bystander).modified).toEqual([])
    })

    it("keeps what changed on an untouched object while the commit was out, and writes it next", async () => {
      const ids = await library()
      await using session = new AsyncSession(engine)
      const books = (
        await session.scalars(
          select(Book).where(Book.id.in(ids.books)).options(selectinload(Book.writer)).orderBy(Book.id),
        )
      ).all() as [Book, Book, Book]
      const writer = (await session.get(Writer, ids.writer)) as Writer
      books[0].title = "changed before"
      const held = holdNextRequest(scope)
      const committing = session.commit()
      await held.sent
      // While the flush is out: a column and a relationship of objects it did not look at.
      books[1].title = "changed while out"
      books[2].writer = writer
      held.release()
      await committing
      expect(inspect(books[0]).modified).toEqual([])
      expect(inspect(books[1]).modified).toEqual(["title"])
      await session.commit()
      expect(await shelfOf(ids.books)).toEqual([
        ["changed before", ids.first, null],
        ["changed while out", ids.first, null],
        ["book 3", ids.first, ids.writer],
      ])
    })

    it("puts the objects it looked at back when the database refuses it, and writes them once fixed", async () => {
      const ids = await library()
      await using session = new AsyncSession(engine)
      const [first, second] = [
        (await session.get(Shelf, ids.first)) as Shelf,
        (await session.get(Shelf, ids.second)) as Shelf,
      ]
      const books = (await session.scalars(select(Book).where(Book.id.in(ids.books)).orderBy(Book.id))).all()
      const label = first.label
      first.label = second.label
      ;(books[0] as Book).title = "renamed"
      await expect(session.commit()).rejects.toThrow()
      expect(first.label).toBe(second.label)
      expect(inspect(first).modified).toEqual(["label"])
      expect(inspect(books[0] as Book).modified).toEqual(["title"])
      first.label = label
      await session.commit()
      expect((await shelfOf(ids.books))[0]).toEqual(["renamed", ids.first, null])
    })
  })
}
