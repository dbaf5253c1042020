// A validator registered after an expireOnCommit commit ran after the session's own hook, which notes a
// set on an expired object (so that the next flush writes it, as SQLAlchemy writes an expired attribute
// that was set): a value the validator refused was noted all the same, and the next commit wrote the
// stale value back over what another program had stored since. Validators now run before the hook
// whenever each was registered: a refused value leaves no trace.
import { describe, expect, it } from "vitest"
import { AsyncSession, InvalidRequestError, validates } from "../../src/index.ts"
import { eventModels, fixtures, suiteEngine, uniq } from "../review-day9-events/models.ts"

const { registry, Author, Book } = eventModels("valexpiry")

for (const fixture of fixtures()) {
  describe(`validators registered after a commit expired the object, on ${fixture.name}`, () => {
    const { engine, requests } = suiteEngine(fixture, "valexpiry", registry)

    /** Another program writes the row between the application's commits. */
    async function elsewhere(change: (session: AsyncSession) => Promise<void>) {
      await using other = new AsyncSession(engine)
      await change(other)
      await other.commit()
    }

    it("a column value the validator refuses is not written, and the other program's value stays", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const author = new Author({ first: uniq("ann"), email: "ann@example.com" })
      session.add(author)
      await session.commit()
      await elsewhere(async (other) => {
        const row = await other.get(Author, author.id)
        if (row) row.email = "ann@elsewhere.example"
      })
      const stop = validates(Author, ["email"], (_key, email) => {
        if (email !== null && !email.includes("@")) throw new InvalidRequestError(`${email} is no e-mail`)
        return email
      })
      try {
        expect(() => {
          author.email = "not-an-email"
        }).toThrow("not-an-email is no e-mail")
        const before = await requests()
        await session.commit()
        expect(await requests()).toBe(before)
        await using reader = new AsyncSession(engine)
        expect((await reader.get(Author, author.id))?.email).toBe("ann@elsewhere.example")
        // An accepted value is still written, even the one the object had before the commit.
        author.email = "ann@example.com"
        await session.commit()
        await using again = new AsyncSession(engine)
        expect((await again.get(Author, author.id))?.email).toBe("ann@example.com")
      } finally {
        stop()
      }
    })

    it("a many-to-one the validator refuses is not written", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const ann = new Author({ first: uniq("ann") })
      const bob = new Author({ first: uniq("bob") })
      const book = new Book({ title: uniq("book"), author: ann })
      session.addAll([ann, bob, book])
      await session.commit()
      await elsewhere(async (other) => {
        const row = await other.get(Book, book.id)
        if (row) row.authorId = bob.id
      })
      const stop = validates(Book, ["author"], (_key, author) => {
        if (author === ann) throw new InvalidRequestError("ann's books are final")
        return author
      })
      try {
        expect(() => {
          book.author = ann
        }).toThrow("ann's books are final")
        const before = await requests()
        await session.commit()
        expect(await requests()).toBe(before)
        await using reader = new AsyncSession(engine)
        expect((await reader.get(Book, book.id))?.authorId).toBe(bob.id)
      } finally {
        stop()
      }
    })

    it("validators registered before and after the commit all run before the hook, in the order registered", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const calls: string[] = []
      const stops = [
        validates(Author, ["last"], (_key, last) => {
          calls.push("first")
          return last
        }),
      ]
      try {
        const author = new Author({ first: uniq("cy"), last: "cole" })
        session.add(author)
        await session.commit()
        stops.push(
          validates(Author, ["last"], (_key, last) => {
            calls.push("second")
            if (last === "") throw new InvalidRequestError("a last name is not empty")
            return last
          }),
        )
        calls.length = 0
        expect(() => {
          author.last = ""
        }).toThrow("a last name is not empty")
        expect(calls).toEqual(["first", "second"])
        const before = await requests()
        await session.commit()
        expect(await requests()).toBe(before)
        await using reader = new AsyncSession(engine)
        expect((await reader.get(Author, author.id))?.last).toBe("cole")
      } finally {
        for (const stop of stops) stop()
      }
    })
  })
}
