// Review of 322a03f / 9c0ed08 / 86b9b6b: add() remembers what its walks reached (src/orm/session.ts,
// `#reached`) and, while no link was taken away and no object entered or left a session, walks again
// only the links gained since. Each scenario runs twice: with the changes and the last add() in one
// synchronous run (the memory used), and with an await before the last add() (the memory dropped: a
// fresh walk, as before 322a03f). What add() refuses, attaches and leaves pending must be the same.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
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
  "rc4_book_tags",
  {
    bookId: column(Integer, { primaryKey: true, foreignKey: "rc4_books.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "rc4_tags.id" }),
  },
  { metadata: registry.metadata },
)
class Writer extends model(
  "rc4_writers",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    books: relationship<Book[]>("Book", { backPopulates: "writer" }),
  },
  { registry },
) {}
class Book extends model(
  "rc4_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    writerId: column(Integer, { nullable: true, foreignKey: "rc4_writers.id" }),
    writer: relationship<Writer | null>("Writer", { backPopulates: "books" }),
    tags: relationship<Tag[]>("Tag", { secondary: bookTags }),
  },
  { registry },
) {}
class Tag extends model(
  "rc4_tags",
  { id: column(Integer, { primaryKey: true }), name: column(String(40)) },
  { registry },
) {}
registry.registerModels(Writer, Book, Tag)

type Outcome = { threw: string | undefined; states: string[] }

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`add() with its remembered walk on ${fixture.name}`, () => {
    const engine = fixture.engine(`rc4-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    async function savedBook(title: string): Promise<Book> {
      await using loading = new AsyncSession(engine)
      const book = new Book({ title })
      loading.add(book)
      await loading.commit()
      return book
    }

    /** The titles of the books stored under `writer`, read by a session of their own, sorted. */
    async function titlesOf(writer: Writer): Promise<string[]> {
      await using reading = new AsyncSession(engine)
      const rows = await reading.scalars(select(Book).where(Book.writerId.eq(writer.id)))
      return rows
        .all()
        .map((book) => book.title)
        .sort()
    }

    /**
     * Runs `change` between a first add() and a last one, without and with an await before the last,
     * and returns both outcomes: whether the last add() threw, and the states of `watched`.
     */
    async function both(
      scenario: (
        session: AsyncSession,
        other: AsyncSession,
      ) => Promise<{ first: () => void; change: () => void; last: () => void; watched: object[] }>,
    ): Promise<[Outcome, Outcome]> {
      const outcomes: Outcome[] = []
      for (const awaited of [false, true]) {
        await using session = new AsyncSession(engine)
        await using other = new AsyncSession(engine)
        const { first, change, last, watched } = await scenario(session, other)
        first()
        change()
        if (awaited) await Promise.resolve()
        let threw: string | undefined
        try {
          last()
        } catch (error) {
          threw = (error as Error).message.includes("another session")
            ? "another session"
            : (error as Error).message.includes("deleted")
              ? "deleted"
              : (error as Error).message
        }
        outcomes.push({
          threw,
          states: watched.map((object) => inspect(object).state),
        })
      }
      return outcomes as [Outcome, Outcome]
    }

    it("a collection reassigned with another session's book: refused as by a fresh walk", async () => {
      const [cached, fresh] = await both(async (session, other) => {
        const held = new Book({ title: "held" })
        other.add(held)
        const writer = new Writer({ name: "r1" })
        const next = new Book({ title: "next" })
        return {
          first: () => session.add(new Book({ title: "first", writer } as never)),
          change: () => {
            writer.books = [...writer.books, held]
            next.writer = writer
          },
          last: () => session.add(next),
          watched: [next, held],
        }
      })
      expect(fresh.threw).toBe("another session")
      expect(cached).toEqual(fresh)
    })

    it("another session's book given the shared writer through its own side: refused as by a fresh walk", async () => {
      const [cached, fresh] = await both(async (session, other) => {
        const held = new Book({ title: "held" })
        other.add(held)
        const writer = new Writer({ name: "r2" })
        const next = new Book({ title: "next" })
        return {
          first: () => session.add(new Book({ title: "first", writer } as never)),
          change: () => {
            held.writer = writer
            next.writer = writer
          },
          last: () => session.add(next),
          watched: [next, held],
        }
      })
      expect(fresh.threw).toBe("another session")
      expect(cached).toEqual(fresh)
    })

    it("a detached book given a tag the earlier walk reached, Object.assign: attached as by a fresh walk", async () => {
      const detached = [await savedBook("d1"), await savedBook("d2")]
      let round = 0
      const [cached, fresh] = await both(async (session) => {
        const book = detached[round++] as Book
        const writer = new Writer({ name: "r3" })
        const tag = new Tag({ name: "t" })
        const first = new Book({ title: "first", writer } as never)
        first.tags.push(tag)
        const next = new Book({ title: "next" })
        return {
          first: () => session.add(first),
          change: () => {
            Object.assign(book, { writer })
            Object.assign(next, { writer })
          },
          last: () => session.add(next),
          watched: [next, book, tag],
        }
      })
      expect(fresh.states).toEqual(["pending", "persistent", "transient"])
      expect(cached).toEqual(fresh)
    })

    it("a book the earlier walk reached, added then deleted (expunged while pending): taken back as by a fresh walk", async () => {
      const [cached, fresh] = await both(async (session) => {
        const writer = new Writer({ name: "r4" })
        const books = [0, 1, 2].map((i) => new Book({ title: `b${i}`, writer } as never))
        return {
          first: () => session.add(books[0] as Book),
          change: () => {
            session.add(books[1] as Book)
            session.delete(books[1] as Book)
          },
          last: () => session.add(books[2] as Book),
          watched: books,
        }
      })
      expect(cached).toEqual(fresh)
    })

    it("an index write into the shared writer's books between two add() calls (unseen by the second, as 322a03f says): the flush refuses it, writing nothing", async () => {
      await using other = new AsyncSession(engine)
      await using session = new AsyncSession(engine)
      const held = new Book({ title: "held" })
      other.add(held)
      const writer = new Writer({ name: "r6" })
      session.add(new Book({ title: "first", writer } as never))
      writer.books[writer.books.length] = held
      session.add(new Book({ title: "r6 next", writer } as never))
      await expect(session.commit()).rejects.toThrow(/another session/)
      expect(inspect(held).state).toBe("pending")
      await using reading = new AsyncSession(engine)
      const written = await reading.scalars(select(Book).where(Book.title.eq("r6 next")))
      expect(written.all()).toHaveLength(0)
    })

    it("a detached book index-written into the shared writer's books between two add() calls: the flush attaches it and writes its link", async () => {
      const detached = await savedBook("r7 detached")
      await using session = new AsyncSession(engine)
      const writer = new Writer({ name: "r7" })
      session.add(new Book({ title: "r7 first", writer } as never))
      writer.books[writer.books.length] = detached
      session.add(new Book({ title: "r7 next", writer } as never))
      await session.commit()
      expect(await titlesOf(writer)).toEqual(["r7 detached", "r7 first", "r7 next"])
      expect(inspect(detached).state).toBe("persistent")
    })

    it("a detached book index-written into the shared writer's books between adding two books made before: the flush attaches it and writes its link", async () => {
      const detached = await savedBook("r8 detached")
      await using session = new AsyncSession(engine)
      const writer = new Writer({ name: "r8" })
      const books = [0, 1].map((i) => new Book({ title: `r8 b${i}`, writer } as never))
      session.add(books[0] as Book)
      writer.books[writer.books.length] = detached
      session.add(books[1] as Book)
      await session.commit()
      expect(await titlesOf(writer)).toEqual(["r8 b0", "r8 b1", "r8 detached"])
      expect(inspect(detached).state).toBe("persistent")
    })

    it("a detached book pushed into a new writer's books after the last add(): the flush attaches it and writes its link", async () => {
      const detached = await savedBook("r9 detached")
      await using session = new AsyncSession(engine)
      const writer = new Writer({ name: "r9" })
      session.add(new Book({ title: "r9 first", writer } as never))
      writer.books.push(detached)
      await session.commit()
      expect(await titlesOf(writer)).toEqual(["r9 detached", "r9 first"])
      expect(inspect(detached).state).toBe("persistent")
    })

    it("a detached book index-written into a new writer's books, and another session's: refused by the flush with nothing written", async () => {
      const detached = await savedBook("r10 detached")
      await using other = new AsyncSession(engine)
      await using session = new AsyncSession(engine)
      const held = new Book({ title: "r10 held" })
      other.add(held)
      const writer = new Writer({ name: "r10" })
      session.add(new Book({ title: "r10 first", writer } as never))
      writer.books[writer.books.length] = detached
      writer.books[writer.books.length] = held
      await expect(session.commit()).rejects.toThrow(/another session/)
      await using reading = new AsyncSession(engine)
      const rows = await reading.scalars(select(Book).where(Book.title.eq("r10 first")))
      expect(rows.all()).toHaveLength(0)
    })

    it("a book expunged while pending, index-written into the shared writer's books between two add() calls: taken back as a fresh walk takes it", async () => {
      await using session = new AsyncSession(engine)
      const writer = new Writer({ name: "r11" })
      const books = [0, 1, 2].map((i) => new Book({ title: `r11 b${i}`, writer } as never))
      const expunged = new Book({ title: "r11 expunged" })
      session.add(books[0] as Book)
      session.add(expunged)
      session.expunge(expunged)
      session.add(books[1] as Book)
      writer.books[writer.books.length] = expunged
      session.add(books[2] as Book)
      await session.commit()
      expect(await titlesOf(writer)).toEqual(["r11 b0", "r11 b1", "r11 b2", "r11 expunged"])
    })
  })
}
