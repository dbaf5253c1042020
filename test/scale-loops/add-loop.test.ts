// add() in a loop: `for (const book of books) session.add(book)`, each book linked to one new author
// that is not itself added (the flush adds it). add() leaves new objects it reaches to the flush, so
// each add() walked from its book to the author and on through every book not yet added: N times N
// (2,000 books took 0.6 s of CPU, 8,000 took 14 s; addAll() the same, as it adds each), and each
// `session.add(new Book({ writer }))` walked the writer's whole collection (4 s for 8,000). add() now
// remembers what its walks reached outside the session and walks again only the links gained since,
// until a link is taken away or an object enters or leaves a session (src/orm/session.ts, `#reached`).
//
// Counted, not timed: the reads of each book's `writer` (every walk through a book reads it once), or
// of each book's session (every walk that comes to a book reads it).
// The rest checks that what add() refuses and attaches is as it was: changes made between two add()
// calls are seen by the second.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  type Engine,
  Integer,
  inspect,
  model,
  Registry,
  relationship,
  String,
  select,
} from "../../src/index.ts"
import { stateOf } from "../../src/orm/state.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Writer extends model(
  "sl_writers",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    books: relationship<Book[]>("Book", { backPopulates: "writer" }),
  },
  { registry },
) {}
class Book extends model(
  "sl_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    writerId: column(Integer, { nullable: true, foreignKey: "sl_writers.id" }),
    writer: relationship<Writer | null>("Writer", { backPopulates: "books" }),
  },
  { registry },
) {}
registry.registerModels(Writer, Book)

/** Counts the reads of `key` in the values of each of `objects` by the session's internals. */
function countReads(objects: readonly object[], key: string): { reads: number } {
  const counter = { reads: 0 }
  for (const object of objects) {
    const state = stateOf(object) as { values: Record<string, unknown> }
    state.values = new Proxy(state.values, {
      get(target, property, receiver) {
        if (property === key) counter.reads++
        return Reflect.get(target, property, receiver)
      },
    })
  }
  return counter
}

function booksOfOneNewWriter(n: number): { writer: Writer; books: Book[] } {
  const writer = new Writer({ name: `w${n}` })
  const books = Array.from({ length: n }, (_, i) => new Book({ title: `b${i}`, writer } as never))
  return { writer, books }
}

/** The reads of the books' `writer` that adding `n` books of one new writer costs. */
function readsOfAdding(engine: Engine, n: number, all: boolean): number {
  const session = new AsyncSession(engine)
  const { books } = booksOfOneNewWriter(n)
  const counter = countReads(books, "writer")
  if (all) session.addAll(books)
  else for (const book of books) session.add(book)
  expect(books.every((book) => inspect(book).state === "pending")).toBe(true)
  return counter.reads
}

/** Counts the reads of each object's session (every walk that comes to an object reads it). */
function countSessionReads(counter: { reads: number }, object: object): void {
  const state = stateOf(object) as { session: unknown }
  let session = state.session
  Object.defineProperty(state, "session", {
    get() {
      counter.reads++
      return session
    },
    set(value: unknown) {
      session = value
    },
  })
}

/** The reads of the books' session that `session.add(new Book({ writer }))` in a loop costs. */
function readsOfMakingAndAdding(engine: Engine, n: number): number {
  const session = new AsyncSession(engine)
  const writer = new Writer({ name: `made ${n}` })
  const counter = { reads: 0 }
  for (let i = 0; i < n; i++) {
    const book = new Book({ title: `m${i}`, writer } as never)
    countSessionReads(counter, book)
    session.add(book)
  }
  expect(writer.books.every((book) => inspect(book).state === "pending")).toBe(true)
  return counter.reads
}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`add() in a loop on ${fixture.name}`, () => {
    const engine = fixture.engine(`sl-add-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    for (const all of [false, true]) {
      it(`${all ? "addAll(books)" : "add(book) for each"}: the walks grow with the books, not their square`, () => {
        const small = readsOfAdding(engine, 1000, all)
        const large = readsOfAdding(engine, 2000, all)
        // Was 500,500 and 2,001,000 (each add() walked every book not yet added).
        expect(small).toBeLessThanOrEqual(3 * 1000)
        expect(large).toBeLessThanOrEqual(2.5 * small)
      })
    }

    it("add(new Book({ writer })) for each: the walks grow with the books, not their square", () => {
      const small = readsOfMakingAndAdding(engine, 1000)
      const large = readsOfMakingAndAdding(engine, 2000)
      // Was about 500,000 and 2,000,000: each add() walked the writer's whole collection.
      expect(small).toBeLessThanOrEqual(10 * 1000)
      expect(large).toBeLessThanOrEqual(2.5 * small)
    })

    it("refuses a new book made after another session's book was pushed into the shared writer's books", async () => {
      await using other = new AsyncSession(engine)
      await using session = new AsyncSession(engine)
      const held = new Book({ title: "held" })
      other.add(held)
      const writer = new Writer({ name: "w3" })
      session.add(new Book({ title: "first", writer } as never))
      writer.books.push(held)
      const next = new Book({ title: "next", writer } as never)
      expect(() => session.add(next)).toThrow(/another session/)
      expect(inspect(next).state).toBe("transient")
    })

    it("attaches a detached book pushed into the shared writer's books between making and adding new ones", async () => {
      let detached: Book
      {
        await using loading = new AsyncSession(engine)
        detached = new Book({ title: "saved before" })
        loading.add(detached)
        await loading.commit()
      }
      await using session = new AsyncSession(engine)
      const writer = new Writer({ name: "w4" })
      session.add(new Book({ title: "first", writer } as never))
      writer.books.push(detached)
      session.add(new Book({ title: "second", writer } as never))
      expect(inspect(detached).state).toBe("persistent")
      await session.commit()
      const rows = await session.scalars(select(Book).where(Book.writerId.eq(writer.id)))
      expect(rows.all()).toHaveLength(3)
    })

    it("writes every book and the writer the flush adds", async () => {
      await using session = new AsyncSession(engine)
      const { writer, books } = booksOfOneNewWriter(300)
      for (const book of books) session.add(book)
      expect(inspect(writer).state).toBe("transient")
      await session.commit()
      expect(inspect(writer).state).toBe("persistent")
      const rows = await session.scalars(select(Book).where(Book.writerId.eq(writer.id)))
      expect(rows.all()).toHaveLength(300)
    })

    it("refuses a book whose writer gained, between two add() calls, another session's book", async () => {
      await using other = new AsyncSession(engine)
      await using session = new AsyncSession(engine)
      const held = new Book({ title: "held" })
      other.add(held)
      const { writer, books } = booksOfOneNewWriter(5)
      session.add(books[0] as Book)
      ;(books[4] as Book).writer = null
      session.add(books[1] as Book)
      writer.books.push(held)
      expect(() => session.add(books[2] as Book)).toThrow(/another session/)
      expect(inspect(books[2] as Book).state).toBe("transient")
    })

    it("refuses a book when another session took the shared writer between two add() calls", async () => {
      await using other = new AsyncSession(engine)
      await using session = new AsyncSession(engine)
      const { writer, books } = booksOfOneNewWriter(3)
      session.add(books[0] as Book)
      session.expunge(books[0] as Book)
      other.add(writer)
      expect(() => session.add(books[1] as Book)).toThrow(/another session/)
      expect(inspect(books[1] as Book).state).toBe("transient")
    })

    it("attaches a detached book linked between two add() calls, and after an await", async () => {
      let detached: Book
      {
        await using loading = new AsyncSession(engine)
        detached = new Book({ title: "was saved" })
        loading.add(detached)
        await loading.commit()
      }
      await using session = new AsyncSession(engine)
      const { writer, books } = booksOfOneNewWriter(4)
      session.add(books[0] as Book)
      writer.books.push(detached)
      session.add(books[1] as Book)
      expect(inspect(detached).state).toBe("persistent")
      session.expunge(detached)
      await Promise.resolve()
      session.add(books[2] as Book)
      expect(inspect(detached).state).toBe("persistent")
      await session.commit()
      const saved = await session.scalars(select(Book).where(Book.id.eq(detached.id)))
      expect(saved.one().writerId).toBe(writer.id)
    })

    it("takes back a book expunged between two add() calls that the next reaches", async () => {
      await using session = new AsyncSession(engine)
      const { writer, books } = booksOfOneNewWriter(3)
      session.add(books[0] as Book)
      session.add(books[1] as Book)
      session.expunge(books[1] as Book)
      // Reached from the next one added (through the writer), it is the flush's cascade's again.
      session.add(books[2] as Book)
      await session.commit()
      const rows = await session.scalars(select(Book).where(Book.writerId.eq(writer.id)))
      expect(rows.all()).toHaveLength(3)
    })
  })
}
