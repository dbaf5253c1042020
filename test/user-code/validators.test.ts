// Validators (`validates`) that refuse a value while the ORM assigns values for the application: in a
// model's constructor, and in merge(). A constructor sets values in the order given (a validator may
// read the ones before), and takes back the links it made when one is refused. merge() sets values as
// the application does (validators run on them, as SQLAlchemy's merge sets attributes), and a refusal
// midway puts back what it merged before it (SQLAlchemy's is left half-merged): nothing of it for a
// commit to write, with or without a rollback.
import { describe, expect, it } from "vitest"
import { AsyncSession, inspect, select, selectinload, validates } from "../../src/index.ts"
import { fixtures, uniq, userCodeModels } from "./models.ts"

const { storedAuthor, suiteEngine, titlesLike, UcAuthor, UcBook } = userCodeModels("validators")
type UcAuthor = InstanceType<typeof UcAuthor>

/** Refuses books whose title ends in "spam", both as a book's title and as a member of an author's books. */
function refuseSpam(): () => void {
  const stops = [
    validates(UcBook, ["title"], (_key, title) => {
      if (title.endsWith("spam")) throw new Error("no spam titles")
      return title
    }),
    // A book being constructed reaches it before its title is set (its author comes first).
    validates(UcAuthor, ["books"], (_key, book) => {
      if (`${book.title}`.endsWith("spam")) throw new Error("no spam books")
      return book
    }),
  ]
  return () => {
    for (const stop of stops) stop()
  }
}

for (const fixture of fixtures) {
  describe(`validators that refuse, on ${fixture.name}`, () => {
    const engine = suiteEngine(fixture)

    it("a constructor refused for its title after its author was set: the app's error; the link is taken back, and the commit writes none of it", async () => {
      const title = uniq("ctor")
      const id = await storedAuthor(engine, [`${title}-kept`])
      const stop = refuseSpam()
      try {
        await using session = new AsyncSession(engine)
        const author = (await session.scalar(
          select(UcAuthor).where(UcAuthor.id.eq(id)).options(selectinload(UcAuthor.books)),
        )) as UcAuthor
        expect(() => new UcBook({ author, title: `${title}-spam` })).toThrow("no spam titles")
        // Set in the order given, the author first; the refused title takes that link back, so the
        // commit has none of it (SQLAlchemy's constructor leaves it linked).
        expect(author.books.length).toBe(1)
        await session.commit()
        expect(await titlesLike(engine, title)).toEqual([`${title}-kept`])
      } finally {
        stop()
      }
    })

    it("a constructor's validator sees the relationships given before, and one refused after a link leaves none", async () => {
      const title = uniq("order")
      const id = await storedAuthor(engine, [`${title}-kept`])
      const seen: unknown[] = []
      const stop = validates(UcBook, ["title"], (_key, value, book) => {
        seen.push(book.author)
        if (value.endsWith("closed")) throw new Error("the author takes no more books")
        return value
      })
      try {
        await using session = new AsyncSession(engine)
        const author = (await session.scalar(
          select(UcAuthor).where(UcAuthor.id.eq(id)).options(selectinload(UcAuthor.books)),
        )) as UcAuthor
        session.add(new UcBook({ author, title: `${title}-open` }))
        expect(() => new UcBook({ author, title: `${title}-closed` })).toThrow(
          "the author takes no more books",
        )
        expect(seen).toEqual([author, author])
        expect(author.books.map((book) => book.title)).toEqual([`${title}-kept`, `${title}-open`])
        await session.commit()
        expect(await titlesLike(engine, title)).toEqual([`${title}-kept`, `${title}-open`])
      } finally {
        stop()
      }
    })

    it("merge() refused midway: the app's error; what it merged before the refusal is put back, and the commit writes none of it", async () => {
      const title = uniq("merge")
      const id = await storedAuthor(engine, [`${title}-kept`])
      let copy: UcAuthor
      {
        await using elsewhere = new AsyncSession(engine)
        copy = (await elsewhere.scalar(
          select(UcAuthor).where(UcAuthor.id.eq(id)).options(selectinload(UcAuthor.books)),
        )) as UcAuthor
        elsewhere.expungeAll()
      }
      copy.note = "merged"
      copy.books.push(new UcBook({ title: `${title}-spam` }))
      const stop = refuseSpam()
      try {
        await using session = new AsyncSession(engine)
        const author = (await session.get(UcAuthor, id)) as UcAuthor
        // The book's title is refused as it is merged, before the author's books are assigned.
        await expect(session.merge(copy)).rejects.toThrow("no spam titles")
        expect([author.note, inspect(author).modified]).toEqual([null, []])
        await session.rollback()
        await session.commit()
        await using reader = new AsyncSession(engine)
        expect([(await reader.get(UcAuthor, id))?.note, await titlesLike(engine, title)]).toEqual([
          null,
          [`${title}-kept`],
        ])
      } finally {
        stop()
      }
    })
  })
}
