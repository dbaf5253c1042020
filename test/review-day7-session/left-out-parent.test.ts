// A many-to-one naming a new object the flush leaves out (expunged, or delete()d while pending: the
// session drops it as expunge() does) cannot be written: the row's foreign key would be the key of a row
// never inserted. The flush failed while rendering its SQL with "Shelf is linked to but not part of the
// flush", which names neither the relationship nor a way out. SQLAlchemy warns and leaves the key as it
// was while the object still names its parent, a link the session believes stored and the database
// does not hold. The flush now refuses it before anything is sent, naming the relationship and the fix;
// the objects are as they were, and either fix commits.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, InvalidRequestError, inspect } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { sessionModels } from "./models.ts"

const { registry, Shelf, Book } = sessionModels("r7s_left")
const REFUSED =
  /^Book\.shelf names a new Shelf that this flush does not insert \(it was expunged, or deleted while pending\), so the link cannot be written: add it back \(session\.add\(\)\), or set Book\.shelf to another object or null$/

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a many-to-one to a new object left out of the flush on ${fixture.name}`, () => {
    const scope = `r7s-left-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const statements = async () => (await fixture.stats(scope))?.statements ?? 0

    it("a new book whose new shelf was expunged: refused unsent; added back, both are written", async () => {
      await using session = new AsyncSession(engine)
      const shelf = new Shelf({ name: "expunged" })
      const book = new Book({ title: "new", shelf })
      session.addAll([book, shelf])
      session.expunge(shelf)
      const before = await statements()
      const refused = await session.commit().catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(InvalidRequestError)
      expect((refused as Error).message).toMatch(REFUSED)
      expect((await statements()) - before).toBe(0)
      expect([inspect(book).state, inspect(shelf).state, book.shelf]).toEqual(["pending", "transient", shelf])
      session.add(shelf)
      await session.commit()
      await using check = new AsyncSession(engine)
      expect((await check.get(Book, book.id))?.shelfId).toBe(shelf.id)
    })

    it("a stored book moved to a new shelf deleted while pending: refused unsent; set to null, it is unlinked", async () => {
      await using session = new AsyncSession(engine)
      const old = new Shelf({ name: "old" })
      const book = new Book({ title: "stored", shelf: old })
      session.add(book)
      await session.commit()
      const shelf = new Shelf({ name: "deleted" })
      session.add(shelf)
      book.shelf = shelf
      session.delete(shelf)
      const before = await statements()
      await expect(session.commit()).rejects.toThrow(REFUSED)
      expect((await statements()) - before).toBe(0)
      expect([inspect(book).state, book.shelfId]).toEqual(["persistent", old.id])
      book.shelf = null
      await session.commit()
      await using check = new AsyncSession(engine)
      expect((await check.get(Book, book.id))?.shelfId).toBeNull()
    })
  })
}
