// An object given to delete() read 'deleted' at once, though its row was still there (get() returned
// it, a query without autoflush found it), and 'detached' as soon as a flush deleted its row, though
// the transaction was still open and its rollback would bring the object back. SQLAlchemy's states
// (orm/state.py `InstanceState.deleted`, session.py `_remove_newly_deleted`, `Session.delete`): marked
// for deletion it stays persistent (in `session.deleted`) until a flush; the flush that deletes its row
// makes it 'deleted', out of the identity map but still the session's until the transaction ends; a
// commit then detaches it, a rollback makes it persistent again. Now edgealchemy's states are those:
// through flush(), a query's autoflush, a savepoint, a bulk DELETE and a delete cascade. An object
// whose DELETE went out with its COMMIT (commit() without an open transaction) is detached at once.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, deleteFrom, InvalidRequestError, inspect, select, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { stateModels } from "./models.ts"

const { registry, Shelf, Book } = stateModels("r10st_del")

let ids = 0

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`an object's state around delete() on ${fixture.name}`, () => {
    const engine = fixture.engine(`r10st-del-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    /** A session holding one stored book (committed). */
    async function stored(options = {}) {
      const session = new AsyncSession(engine, options)
      const book = new Book({ id: ++ids, title: "stored" })
      session.add(book)
      await session.commit()
      return { session, book }
    }

    const rowsOf = async (id: number) =>
      (await engine.execute(select(Book.c.id).where(Book.c.id.eq(id)))).rows

    it("marked: persistent, in session.deleted, get() returns it", async () => {
      const { session, book } = await stored()
      await using _ = session
      session.delete(book)
      // Was: 'deleted' while its row was still there.
      expect(inspect(book).state).toBe("persistent")
      expect(session.deleted).toEqual([book])
      expect(await session.get(Book, book.id)).toBe(book)
      session.add(book)
      expect([inspect(book).state, session.deleted]).toEqual(["persistent", []])
    })

    it("flushed: deleted and still the session's until commit, which detaches it", async () => {
      const { session, book } = await stored()
      await using _ = session
      session.delete(book)
      await session.flush()
      // Was: 'detached' while the transaction that deleted its row was open.
      expect(inspect(book).state).toBe("deleted")
      expect(session.deleted).toEqual([])
      expect(await session.get(Book, book.id)).toBeNull()
      expect(() => session.add(book)).toThrow(InvalidRequestError)
      expect(() => session.add(book)).toThrow(
        /has been deleted: its row is gone \(a rollback\(\) of the transaction/,
      )
      // Deleting it again does nothing: its row is gone already.
      session.delete(book)
      expect(inspect(book).state).toBe("deleted")
      await session.commit()
      expect(inspect(book).state).toBe("detached")
      expect(() => session.add(book)).toThrow(/has been deleted: its row is gone\. merge\(\)/)
      expect(await rowsOf(book.id)).toEqual([])
    })

    it("flushed, then rolled back: persistent again in the identity map", async () => {
      const { session, book } = await stored()
      await using _ = session
      session.delete(book)
      await session.flush()
      expect(inspect(book).state).toBe("deleted")
      await session.rollback()
      expect(inspect(book).state).toBe("persistent")
      expect(await session.get(Book, book.id)).toBe(book)
      expect(await rowsOf(book.id)).toEqual([[book.id]])
    })

    it("flushed by a query's autoflush: deleted", async () => {
      const { session, book } = await stored()
      await using _ = session
      session.delete(book)
      expect((await session.scalars(select(Book).where(Book.id.eq(book.id)))).all()).toEqual([])
      expect(inspect(book).state).toBe("deleted")
      await session.commit()
      expect(inspect(book).state).toBe("detached")
    })

    it("deleted by commit() in one request: detached at once", async () => {
      const { session, book } = await stored()
      await using _ = session
      session.delete(book)
      await session.commit()
      expect(inspect(book).state).toBe("detached")
      expect(await rowsOf(book.id)).toEqual([])
    })

    it("expunged once deleted: detached, and the rollback leaves it out, as SQLAlchemy's expunge()", async () => {
      const { session, book } = await stored()
      await using _ = session
      session.delete(book)
      await session.flush()
      session.expunge(book)
      expect(inspect(book).state).toBe("detached")
      await session.rollback()
      expect(inspect(book).state).toBe("detached")
      const again = await session.get(Book, book.id)
      expect(again).not.toBe(book)
      expect(again?.title).toBe("stored")
    })

    it("closed once deleted: detached, its row back, and another session may add it", async () => {
      const { session, book } = await stored()
      session.delete(book)
      await session.flush()
      await session.close()
      expect(inspect(book).state).toBe("detached")
      await using second = new AsyncSession(engine)
      second.add(book)
      expect(inspect(book).state).toBe("persistent")
      book.title = "kept"
      await second.commit()
      expect(await rowsOf(book.id)).toEqual([[book.id]])
    })

    it("inside a savepoint: its rollback makes it persistent; released, the outer commit detaches it", async () => {
      const { session, book } = await stored()
      await using _ = session
      const other = (await session.get(Book, book.id)) as InstanceType<typeof Book>
      const savepoint = await session.beginNested()
      session.delete(other)
      await session.flush()
      expect(inspect(other).state).toBe("deleted")
      await savepoint.rollback()
      expect(inspect(other).state).toBe("persistent")
      const released = await session.beginNested()
      session.delete(other)
      await released.commit()
      expect(inspect(other).state).toBe("deleted")
      await session.commit()
      expect(inspect(other).state).toBe("detached")
    })

    it("released savepoint, then the transaction rolled back: persistent", async () => {
      const { session, book } = await stored()
      await using _ = session
      await session.begin()
      const savepoint = await session.beginNested()
      session.delete(book)
      await savepoint.commit()
      expect(inspect(book).state).toBe("deleted")
      await session.rollback()
      expect(inspect(book).state).toBe("persistent")
      expect(await session.get(Book, book.id)).toBe(book)
    })

    it("bulk deleteFrom() inside a transaction: deleted until it ends; outside one: detached", async () => {
      const { session, book } = await stored()
      await using _ = session
      const second = new Book({ id: ++ids, title: "second" })
      session.add(second)
      await session.commit()
      await session.begin()
      await session.execute(deleteFrom(Book).where(Book.id.eq(book.id)))
      // Was: 'detached'.
      expect(inspect(book).state).toBe("deleted")
      await session.execute(deleteFrom(Book).where(Book.id.eq(second.id)), { synchronizeSession: "fetch" })
      expect(inspect(second).state).toBe("deleted")
      await session.rollback()
      expect([inspect(book).state, inspect(second).state]).toEqual(["persistent", "persistent"])
      await session.execute(deleteFrom(Book).where(Book.id.eq(book.id)))
      expect(inspect(book).state).toBe("detached")
      await session.begin()
      await session.execute(deleteFrom(Book).where(Book.id.eq(second.id)))
      await session.commit()
      expect(inspect(second).state).toBe("detached")
    })

    it("a row found gone by get() inside the transaction that deleted it: deleted", async () => {
      const { session, book } = await stored({ expireOnCommit: true })
      await using _ = session
      await session.begin()
      await session.execute(text(`DELETE FROM r10st_del_books WHERE id = ${book.id}`))
      expect(await session.get(Book, book.id)).toBeNull()
      // SQLAlchemy's get() takes it out as deleted (_remove_newly_deleted).
      expect(inspect(book).state).toBe("deleted")
      await session.rollback()
      expect(inspect(book).state).toBe("persistent")
    })

    it("a delete cascade: parent and children deleted by the flush, detached by the commit", async () => {
      await using session = new AsyncSession(engine)
      const shelf = new Shelf({ id: ++ids, name: "shelf" })
      const child = new Book({ id: ++ids, title: "child", shelf })
      session.addAll([shelf, child])
      await session.commit()
      session.delete(shelf)
      expect([inspect(shelf).state, inspect(child).state]).toEqual(["persistent", "persistent"])
      await session.flush()
      expect([inspect(shelf).state, inspect(child).state]).toEqual(["deleted", "deleted"])
      await session.commit()
      expect([inspect(shelf).state, inspect(child).state]).toEqual(["detached", "detached"])
      expect(await rowsOf(child.id)).toEqual([])
    })
  })
}
