// Rows read inside an interactive transaction may show what it wrote: a bulk update() that held no
// object, a text() UPDATE, a flush. A rollback() put back the objects its flushes and bulk statements
// had written, but an object first read after such a write kept the transaction's values as what the
// database has, though the database no longer had them: queries and get() went on giving them (the
// identity map does not overwrite what it holds), and setting the value the transaction had written
// wrote nothing (it equalled the stale snapshot), so the application's change was lost. SQLAlchemy's
// rollback expires every object. Now every object the session holds is expired when its transaction
// does not commit: the next query or get() that reaches its row reads it again (columns set since
// keep their values), and a column set before that counts as changed. A commit expires nothing.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, select, text, update } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { sessionModels } from "./models.ts"

const { registry, Book } = sessionModels("r7s_rbr")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`objects read inside a transaction that rolled back on ${fixture.name}`, () => {
    const scope = `r7s-rbr-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const statements = async () => (await fixture.stats(scope))?.statements ?? 0
    const table = `r7s_rbr_books`

    const seeded = async (title: string) => {
      await using seed = new AsyncSession(engine)
      const book = new Book({ title, note: "stored" })
      seed.add(book)
      await seed.commit()
      return book.id
    }
    const noteOf = async (id: number) => {
      await using check = new AsyncSession(engine)
      return (await check.get(Book, id))?.note
    }

    it("after a bulk update() it held no object for: queries give the stored values again", async () => {
      const id = await seeded("bulk")
      await using session = new AsyncSession(engine)
      await session.begin()
      await session.execute(update(Book).where(Book.id.eq(id)).values({ note: "rolled back" }))
      const book = await session.scalar(select(Book).where(Book.id.eq(id)))
      expect(book?.note).toBe("rolled back")
      await session.rollback()
      const again = await session.scalar(select(Book).where(Book.id.eq(id)))
      expect(again).toBe(book)
      expect(book?.note).toBe("stored")
      expect(session.isModified(book as object)).toBe(false)
    })

    it("after a text() UPDATE: get() reads the row again, once", async () => {
      const id = await seeded("text")
      await using session = new AsyncSession(engine)
      await session.begin()
      await session.execute(text(`UPDATE ${table} SET note = 'rolled back' WHERE id = ${id}`))
      const book = await session.get(Book, id)
      expect(book?.note).toBe("rolled back")
      await session.rollback()
      const before = await statements()
      expect(await session.get(Book, id)).toBe(book)
      expect(book?.note).toBe("stored")
      expect(await session.get(Book, id)).toBe(book)
      expect((await statements()) - before).toBe(1)
    })

    it("the value the transaction had written, set again before any read, is written", async () => {
      const id = await seeded("set again")
      await using session = new AsyncSession(engine)
      await session.begin()
      await session.execute(text(`UPDATE ${table} SET note = 'wanted' WHERE id = ${id}`))
      const book = await session.get(Book, id)
      if (!book) throw new Error("no book")
      await session.rollback()
      book.note = "wanted"
      expect(session.isModified(book)).toBe(true)
      await session.commit()
      expect(await noteOf(id)).toBe("wanted")
    })

    it("a transaction that commits expires nothing: get() sends no query", async () => {
      const id = await seeded("committed")
      await using session = new AsyncSession(engine)
      await session.begin()
      const book = await session.get(Book, id)
      if (!book) throw new Error("no book")
      book.note = "changed"
      await session.commit()
      const before = await statements()
      expect(await session.get(Book, id)).toBe(book)
      expect((await statements()) - before).toBe(0)
      expect(await noteOf(id)).toBe("changed")
    })
  })
}
