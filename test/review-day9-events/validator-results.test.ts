// What a validator returns is what is stored. One that checks and forgets to return (undefined) lost
// the value a constructor was given (NULL written), and on a relationship left a half-made link: the
// collection refused with a TypeError, a back-populated link kept on one side only, and the commit
// failing with a TypeError. An async one stored its Promise. Both are now refused as the validator's
// mistake, before anything changes.
import { describe, expect, it } from "vitest"
import { AsyncSession, select, validates } from "../../src/index.ts"
import { eventModels, fixtures, suiteEngine, uniq } from "./models.ts"

const { registry, Author, Book } = eventModels("validresult")
type Author = InstanceType<typeof Author>
type Book = InstanceType<typeof Book>

for (const fixture of fixtures()) {
  describe(`validators that return nothing or a promise, on ${fixture.name}`, () => {
    const { engine } = suiteEngine(fixture, "validresult", registry)

    it("a column's validator that returns undefined is refused, and the value is not lost to NULL", async () => {
      // JavaScript (or a cast): a check that forgets to return its value.
      const stop = validates(Author, ["email"], ((_key: string, email: string) => {
        if (!email.includes("@")) throw new Error("not an e-mail")
      }) as never)
      try {
        expect(() => new Author({ first: uniq("ann"), email: "ann@example.com" })).toThrow(
          "The validator of Author.email returned undefined: a validator runs as the value is set, and returns the value to store (null for NULL) or throws to refuse it",
        )
      } finally {
        stop()
      }
      await using session = new AsyncSession(engine)
      const author = new Author({ first: uniq("ann"), email: "ann@example.com" })
      session.add(author)
      await session.commit()
      expect(await session.scalar(select(Author.email).where(Author.id.eq(author.id)))).toBe(
        "ann@example.com",
      )
    })

    it("an async validator is refused, the value left as it was", async () => {
      const stop = validates(Author, ["email"], (async (_key: string, email: string) => {
        throw new Error(`${email} is taken`)
      }) as never)
      try {
        const author = new Author({ first: uniq("bob") })
        expect(() => {
          author.email = "bob@example.com"
        }).toThrow("The validator of Author.email returned a Promise")
        expect(author.email).toBeNull()
      } finally {
        stop()
      }
    })

    it("a relationship's validator that returns undefined leaves both sides as they were, and the commit writes", async () => {
      const stops = [
        validates(Author, ["books"], ((_key: string, _book: Book) => undefined) as never),
        validates(Book, ["author"], ((_key: string, _author: Author) => undefined) as never),
      ]
      await using session = new AsyncSession(engine)
      const author = new Author({ first: uniq("cy") })
      const pushed = new Book({ title: uniq("pushed") })
      try {
        expect(() => author.books.push(pushed)).toThrow("The validator of Author.books returned undefined")
        expect(() => new Book({ title: uniq("given"), author })).toThrow(
          "The validator of Book.author returned undefined",
        )
        expect(author.books).toEqual([])
        expect(pushed.author).toBeNull()
      } finally {
        for (const stop of stops) stop()
      }
      author.books.push(pushed)
      session.add(author)
      await session.commit()
      const titles = await session.scalars(select(Book.title).where(Book.authorId.eq(author.id)))
      expect(titles.all()).toEqual([pushed.title])
    })
  })
}

describe("validates() given its arguments as SQLAlchemy's decorator takes them", () => {
  it("refuses a name that is not in an array, and a validator that is not a function", () => {
    expect(() => validates(Author, "email" as never, (_key, value) => value)).toThrow(
      `validates() takes Author's attribute names as an array and a function: validates(Author, ["email"], (key, value) => value)`,
    )
    expect(() => validates(Author, ["email"], undefined as never)).toThrow(
      "validates() takes Author's attribute names as an array and a function",
    )
    // Nothing was registered: the value is stored as given.
    expect(new Author({ first: "ann", email: "Ann@Example.com" }).email).toBe("Ann@Example.com")
  })
})
