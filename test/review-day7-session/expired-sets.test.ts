// A commit with expireOnCommit expires the session's objects, and SQLAlchemy writes whatever is set on
// an expired attribute afterwards, even a value equal to the one it had: the row may hold another by
// now. edgealchemy keeps an expired object's values to be read, and its flush compared them with the
// row as it was before the commit: `node.name = "x"` where the object had "x" and another program had
// since written "y" wrote nothing, and the application's assignment was lost (commit() said done, the
// row kept "y"). So with a many-to-one set again to the object it had (`book.shelf = a`), and with a
// child pushed into a parent's collection that it was in before the commit. The sets are now noted
// until a row replaces the stale one, and written; a rollback drops them, as it drops other changes.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, inspect, select, selectinload } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { sessionModels } from "./models.ts"

const { registry, Node, Shelf, Book } = sessionModels("r7s_exp")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`sets on objects a commit expired on ${fixture.name}`, () => {
    const scope = `r7s-exp-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const statements = async () => (await fixture.stats(scope))?.statements ?? 0

    /** Another program writes the row between the application's commits. */
    const elsewhere = async <T extends object>(
      load: (s: AsyncSession) => Promise<T | null>,
      change: (o: T) => void,
    ) => {
      await using other = new AsyncSession(engine)
      const object = await load(other)
      if (!object) throw new Error("no row")
      change(object)
      await other.commit()
    }
    const nameOf = async (id: number) => {
      await using t = new AsyncSession(engine)
      return (await t.get(Node, id))?.name
    }

    it("a column set to the value it had before the commit is written", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const node = new Node({ name: "x" })
      session.add(node)
      await session.commit()
      await elsewhere(
        (o) => o.get(Node, node.id),
        (n) => (n.name = "y"),
      )
      node.name = "x"
      expect(session.isModified(node)).toBe(true)
      expect(inspect(node).modified).toEqual(["name"])
      await session.commit()
      expect(await nameOf(node.id)).toBe("x")
      // Written, the set is done with: the next commit sends nothing.
      const before = await statements()
      await session.commit()
      expect((await statements()) - before).toBe(0)
    })

    it("reloading the row keeps the set value, and the commit writes it", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const node = new Node({ name: "x2" })
      session.add(node)
      await session.commit()
      await elsewhere(
        (o) => o.get(Node, node.id),
        (n) => (n.name = "y2"),
      )
      node.name = "x2"
      expect(await session.get(Node, node.id)).toBe(node) // reads the row again (expired)
      expect(node.name).toBe("x2")
      await session.commit()
      expect(await nameOf(node.id)).toBe("x2")
    })

    it("a rollback drops the set, and nothing unchanged is written", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const node = new Node({ name: "x3" })
      const untouched = new Node({ name: "u3" })
      session.addAll([node, untouched])
      await session.commit()
      await elsewhere(
        (o) => o.get(Node, node.id),
        (n) => (n.name = "y3"),
      )
      node.name = "x3"
      await session.rollback()
      expect(session.isModified(node)).toBe(false)
      const before = await statements()
      await session.commit()
      expect((await statements()) - before).toBe(0)
      expect(await nameOf(node.id)).toBe("y3")
    })

    it("so does a savepoint's rollback, for what was set inside it", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const node = new Node({ name: "x4" })
      session.add(node)
      await session.commit()
      await elsewhere(
        (o) => o.get(Node, node.id),
        (n) => (n.name = "y4"),
      )
      const savepoint = await session.beginNested()
      node.name = "x4"
      await savepoint.rollback()
      expect(session.isModified(node)).toBe(false)
      await session.commit()
      expect(await nameOf(node.id)).toBe("y4")
    })

    it("a many-to-one set to the object it had is written", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const a = new Shelf({ name: "a" })
      const b = new Shelf({ name: "b" })
      const book = new Book({ title: "m2o", shelf: a })
      session.addAll([book, b])
      await session.commit()
      await elsewhere(
        (o) => o.get(Book, book.id),
        (other) => (other.shelfId = b.id),
      )
      book.shelf = a
      await session.commit()
      await using t = new AsyncSession(engine)
      expect((await t.get(Book, book.id))?.shelfId).toBe(a.id)
    })

    it("a child pushed into the collection it was in before the commit is written", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const a = new Shelf({ name: "c" })
      const b = new Shelf({ name: "d" })
      const book = new Book({ title: "o2m", shelf: a })
      session.addAll([book, b])
      await session.commit()
      await elsewhere(
        (o) => o.get(Book, book.id),
        (other) => (other.shelfId = b.id),
      )
      // The shelf's books as the database has them now: the book is not among them.
      const [shelf] = (
        await session.scalars(select(Shelf).where(Shelf.id.eq(a.id)).options(selectinload(Shelf.books)))
      ).all()
      expect(shelf?.books).toEqual([])
      shelf?.books.push(book)
      await session.commit()
      await using t = new AsyncSession(engine)
      expect((await t.get(Book, book.id))?.shelfId).toBe(a.id)
    })
  })
}
