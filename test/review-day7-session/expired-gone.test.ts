// get() of an expired object (a commit with expireOnCommit, a rollback) reads its row again; when the
// row was gone (another program deleted it), get() answered null but the session kept the object as
// persistent, vouching for a row the database no longer held: inspect() said persistent, and the object
// stayed in the identity map. SQLAlchemy's get() removes it as deleted (ObjectDeletedError inside,
// _remove_newly_deleted). Now it is let go as deleted: detached, and refused by add() as an object whose
// row is gone (merge() inserts it again); a new object for the key is inserted as any other. When the
// row went by this session's own transaction and that rolls back, the object is taken back.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, InvalidRequestError, inspect, select, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { sessionModels } from "./models.ts"

const { registry, Book } = sessionModels("r7s_gone")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`get() of an expired object whose row is gone on ${fixture.name}`, () => {
    const scope = `r7s-gone-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    it("lets it go as deleted; a new object for its key is inserted", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const book = new Book({ id: 500, title: "first" })
      session.add(book)
      await session.commit()
      await using other = new AsyncSession(engine)
      const theirs = await other.get(Book, 500)
      if (!theirs) throw new Error("no book")
      other.delete(theirs)
      await other.commit()
      expect(await session.get(Book, 500)).toBeNull()
      expect(inspect(book).state).toBe("detached")
      expect(() => session.add(book)).toThrow(InvalidRequestError)
      const again = new Book({ id: 500, title: "second" })
      session.add(again)
      await session.commit()
      const rows = (await session.scalars(select(Book).where(Book.id.eq(500)))).all()
      expect(rows).toEqual([again])
    })

    it("deleted by its own transaction, which rolls back: persistent again", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const book = new Book({ id: 600, title: "kept" })
      session.add(book)
      await session.commit()
      await session.begin()
      await session.execute(text("DELETE FROM r7s_gone_books WHERE id = 600"))
      expect(await session.get(Book, 600)).toBeNull()
      // 'deleted' while the transaction that deleted its row is open (SQLAlchemy's get() calls
      // _remove_newly_deleted).
      expect(inspect(book).state).toBe("deleted")
      await session.rollback()
      expect(inspect(book).state).toBe("persistent")
      expect(await session.get(Book, 600)).toBe(book)
      expect(book.title).toBe("kept")
    })
  })
}
