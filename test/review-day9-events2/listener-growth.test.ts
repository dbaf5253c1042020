// A mapper listener that adds objects of its own model on every insert: each round of planning tells it
// of the objects it added the round before. Adding two per insert doubled the flush every round, and the
// limit of 20 rounds fired only after ~2^20 objects and ~20 s. The flush now follows what listeners add
// by generation and refuses one that feeds on itself (more than 10 generations deep, or growing past
// 1,000 objects plus 10 per object of the first generation), naming the listener and what it added,
// before anything is sent; the session is as before the flush. Legitimate chains still go out in one
// request.
import { describe, expect, it } from "vitest"
import { AsyncSession, InvalidRequestError, inspect, listen, select } from "../../src/index.ts"
import { eventModels, fixtures, suiteEngine, uniq } from "../review-day9-events/models.ts"

const { registry, Author, Book, Audit } = eventModels("growth")

for (const fixture of fixtures()) {
  describe(`mapper listeners that add objects for what they add, on ${fixture.name}`, () => {
    const { engine, requests } = suiteEngine(fixture, "growth", registry)

    async function booksTitled(prefix: string): Promise<number> {
      await using reader = new AsyncSession(engine)
      return (await reader.scalars(select(Book.id).where(Book.title.like(`${prefix}%`)))).all().length
    }

    /** Commits one new book while `listener` runs for every Book inserted; what it refused, and the calls. */
    async function commitWith(
      listener: (book: InstanceType<typeof Book>, session: { add(object: object): void }) => void,
    ) {
      const calls = { n: 0 }
      const stop = listen(Book, "beforeInsert", (book, { session }) => {
        calls.n++
        listener(book, session)
      })
      await using session = new AsyncSession(engine)
      const title = uniq("seed")
      const book = new Book({ title })
      session.add(book)
      const before = await requests()
      const error = await session.commit().then(
        () => undefined,
        (e: unknown) => e,
      )
      stop()
      const sent = (await requests()) - before
      const state = inspect(book).state
      // Without the listener, the same session writes the one book it was given, and nothing else.
      if (error) await session.commit()
      return { error, calls: calls.n, sent, state, title, stored: await booksTitled(title) }
    }

    it("two Books added per Book inserted: refused after about a thousand, nothing sent", async () => {
      const { error, calls, sent, state, title, stored } = await commitWith((book, session) => {
        session.add(new Book({ title: `${book.title}+` }))
        session.add(new Book({ title: `${book.title}-` }))
      })
      expect(error).toBeInstanceOf(InvalidRequestError)
      expect((error as Error).message).toMatch(
        /the Book beforeInsert listener added \d+ Book for \d+ object\(s\) that listeners had added/,
      )
      expect(calls).toBeLessThan(2_100)
      expect(sent).toBe(0)
      expect(state).toBe("pending")
      expect(stored).toBe(1)
      expect(await booksTitled(`${title}+`)).toBe(0)
    })

    it("ten per Book inserted: refused within the third generation", async () => {
      const { error, calls, sent, stored } = await commitWith((book, session) => {
        for (let i = 0; i < 10; i++) session.add(new Book({ title: `${book.title}.${i}` }))
      })
      expect((error as Error).message).toMatch(
        /Mapper listeners keep adding objects for the objects they add/,
      )
      expect(calls).toBeLessThan(1_200)
      expect(sent).toBe(0)
      expect(stored).toBe(1)
    })

    it("one per Book inserted: refused 10 generations deep", async () => {
      const { error, calls, sent, stored } = await commitWith((book, session) => {
        session.add(new Book({ title: `${book.title}+` }))
      })
      expect((error as Error).message).toMatch(/11 generations deep and 11 objects in all/)
      expect(calls).toBe(11)
      expect(sent).toBe(0)
      expect(stored).toBe(1)
    })

    it("chains that end are written in one request: authors' books, the books' audits, a copy of each", async () => {
      const action = uniq("chain")
      const stops = [
        listen(Author, "afterInsert", (author, { session }) => {
          for (let i = 0; i < 20; i++) session.add(new Book({ title: `${author.first}/${i}`, author }))
        }),
        listen(Book, "beforeInsert", (book, { session }) => {
          session.add(new Audit({ action, note: "insert" }))
          session.add(new Audit({ action, note: "stock" }))
          // Of its own model, once: a copy is not copied again.
          if (!book.title.endsWith("(copy)")) session.add(new Book({ title: `${book.title} (copy)` }))
        }),
      ]
      try {
        await using session = new AsyncSession(engine)
        const first = uniq("auth")
        for (let i = 0; i < 30; i++) session.add(new Author({ first: `${first}-${i}` }))
        const before = await requests()
        await session.commit()
        expect(await requests()).toBe(before + 1)
        expect(await booksTitled(first)).toBe(30 * 20 * 2)
        await using reader = new AsyncSession(engine)
        expect((await reader.scalars(select(Audit.id).where(Audit.action.eq(action)))).all()).toHaveLength(
          30 * 20 * 2 * 2,
        )
      } finally {
        for (const stop of stops) stop()
      }
    })
  })
}
