// A many-to-one set on an object a commit expired is noted by the session's hook, which runs after the
// relationship's validators; but the assignment may still be refused after it: by the other side's
// validator (author.books refusing the book), or as an object of another model. The refused link was
// noted all the same, and the next commit wrote the book's stale foreign key back over the one another
// program had stored since. The hook now notes such a set only if the link holds a value it was given
// when the flush asks, so a refused link leaves no trace and an accepted one (even to the object the
// book had before the commit) is still written.
import { describe, expect, it } from "vitest"
import { AsyncSession, InvalidRequestError, validates } from "../../src/index.ts"
import { eventModels, fixtures, suiteEngine, uniq } from "../review-day9-events/models.ts"

const { registry, Author, Book } = eventModels("reflink")

for (const fixture of fixtures()) {
  describe(`a link refused after the hook noted it, on ${fixture.name}`, () => {
    const { engine, requests } = suiteEngine(fixture, "reflink", registry)

    /** A book of ann's, committed (so expired), then moved to bob by another program. */
    async function movedElsewhere(session: AsyncSession, title: string) {
      const ann = new Author({ first: uniq("ann") })
      const bob = new Author({ first: uniq("bob") })
      const book = new Book({ title, author: ann })
      session.addAll([ann, bob, book])
      await session.commit()
      {
        await using other = new AsyncSession(engine)
        const row = await other.get(Book, book.id)
        if (row) row.authorId = bob.id
        await other.commit()
      }
      return { ann, bob, book }
    }

    async function authorIdOf(id: number) {
      await using reader = new AsyncSession(engine)
      return (await reader.get(Book, id))?.authorId
    }

    it("refused by the other side's validator: nothing is written", async () => {
      let sealed = false
      const stop = validates(Author, ["books"], (_key, book) => {
        if (sealed) throw new InvalidRequestError("sealed books stay where they are")
        return book
      })
      try {
        await using session = new AsyncSession(engine, { expireOnCommit: true })
        const { ann, bob, book } = await movedElsewhere(session, uniq("sealed"))
        sealed = true
        expect(() => {
          book.author = ann
        }).toThrow("sealed books stay where they are")
        const before = await requests()
        await session.commit()
        expect(await requests()).toBe(before)
        expect(await authorIdOf(book.id)).toBe(bob.id)
      } finally {
        stop()
      }
    })

    it("an object of another model: refused, nothing is written", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const { bob, book } = await movedElsewhere(session, uniq("plain"))
      expect(() => {
        book.author = book as never
      }).toThrow(`${Book.name}.author takes ${Author.name} objects`)
      const before = await requests()
      await session.commit()
      expect(await requests()).toBe(before)
      expect(await authorIdOf(book.id)).toBe(bob.id)
    })

    it("accepted, set again to the author it had, or pushed into that author's books: written", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const { ann, book } = await movedElsewhere(session, uniq("kept"))
      book.author = ann
      await session.commit()
      expect(await authorIdOf(book.id)).toBe(ann.id)
      const second = await movedElsewhere(session, uniq("pushed"))
      await session.refresh(second.ann, ["books"])
      second.ann.books.push(second.book)
      await session.commit()
      expect(await authorIdOf(second.book.id)).toBe(second.ann.id)
    })
  })
}
