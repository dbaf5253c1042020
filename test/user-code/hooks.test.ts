// Application code the flush calls besides listeners: column `default` and `onUpdate` functions that
// throw or return what their column cannot hold. The commit fails with nothing written and the app's
// own error (or a DataError naming the column), the objects are as before it, and the retry writes once.
import { describe, expect, it } from "vitest"
import { AsyncSession, DataError, inspect, select } from "../../src/index.ts"
import { fixtures, hooks, uniq, userCodeModels } from "./models.ts"

const { storedAuthor, suiteEngine, titlesLike, UcAuthor, UcBook } = userCodeModels("hooks")
type UcBook = InstanceType<typeof UcBook>

for (const fixture of fixtures) {
  describe(`column functions that fail, on ${fixture.name}`, () => {
    const engine = suiteEngine(fixture)

    it("a default that throws: its error, nothing written, no default or key left on the objects, and the retry inserts each row once", async () => {
      const title = uniq("default")
      await using session = new AsyncSession(engine)
      const author = new UcAuthor({ name: uniq("a") })
      const book = new UcBook({ title, author })
      session.add(author)
      hooks.code = () => {
        throw new Error("code service down")
      }
      try {
        await expect(session.commit()).rejects.toThrow("code service down")
      } finally {
        hooks.code = () => "C"
      }
      expect([inspect(author).state, author.id, book.code, book.id, await titlesLike(engine, title)]).toEqual(
        ["pending", undefined, undefined, undefined, []],
      )
      await session.commit()
      expect([inspect(book).state, book.code, book.authorId, await titlesLike(engine, title)]).toEqual([
        "persistent",
        "C",
        author.id,
        [title],
      ])
    })

    it("a default that returns a Promise: a DataError naming the column, nothing written", async () => {
      const title = uniq("promise")
      await using session = new AsyncSession(engine)
      const book = new UcBook({ title })
      session.add(book)
      hooks.code = () => Promise.resolve("C")
      try {
        const failure = await session.commit().catch((error: unknown) => error)
        expect(failure).toBeInstanceOf(DataError)
        expect(String(failure)).toContain("uc_hooks_books.code (string) cannot hold a Promise")
      } finally {
        hooks.code = () => "C"
      }
      expect([inspect(book).state, book.code, await titlesLike(engine, title)]).toEqual([
        "pending",
        undefined,
        [],
      ])
    })

    it("an onUpdate that throws: its error, the row unchanged, the change kept on the object, and the retry writes it", async () => {
      const title = uniq("on-update")
      await storedAuthor(engine, [title])
      await using session = new AsyncSession(engine)
      const book = (await session.scalar(select(UcBook).where(UcBook.title.eq(title)))) as UcBook
      book.title = `${title}-renamed`
      hooks.touched = () => {
        throw new Error("clock down")
      }
      try {
        await expect(session.commit()).rejects.toThrow("clock down")
      } finally {
        hooks.touched = () => new Date(5000)
      }
      expect([inspect(book).modified, book.touched, await titlesLike(engine, title)]).toEqual([
        ["title"],
        null,
        [title],
      ])
      await session.commit()
      expect([book.touched, await titlesLike(engine, title)]).toEqual([new Date(5000), [`${title}-renamed`]])
    })
  })
}
