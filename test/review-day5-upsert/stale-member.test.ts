// A member whose row a flush (or a bulk DELETE) deleted stays in the other side's loaded collection
// until that is reloaded, as in SQLAlchemy until its commit expires it. What the application then does
// with that collection must write nothing about the gone row: removing the stale member, assigning the
// collection anew, or deleting the owner (with or without a delete cascade) is a valid program. It must
// not fail as stale (an UPDATE or DELETE of a row that is gone), nor insert the member's row or link
// again. SQLAlchemy skips such members: a one-to-many's clear of the key is not an UPDATE of an object
// outside the session, a many-to-many's link delete skips a deleted child (ManyToManyDP._synchronize),
// and a delete cascade skips an object already deleted (Session._delete_impl).
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  insert,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
  table,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
const shelfTags = table(
  "r5u_sm_shelf_tags",
  {
    shelfId: column(Integer, { primaryKey: true, foreignKey: "r5u_sm_shelves.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "r5u_sm_tags.id" }),
  },
  { metadata: registry.metadata },
)
/** One-way collections: books (one-to-many, save-update only) and tags (many-to-many). */
class Shelf extends model(
  "r5u_sm_shelves",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(40)),
    books: relationship<Book[]>("Book"),
    tags: relationship<Tag[]>("Tag", { secondary: shelfTags, backPopulates: "shelves" }),
  },
  { registry },
) {}
class Book extends model(
  "r5u_sm_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    shelfId: column(Integer, { nullable: true, foreignKey: "r5u_sm_shelves.id" }),
  },
  { registry },
) {}
class Tag extends model(
  "r5u_sm_tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    shelves: relationship<Shelf[]>("Shelf", { secondary: shelfTags, backPopulates: "tags" }),
  },
  { registry },
) {}
/** A back-populated one-to-many with a delete cascade and delete-orphan. */
class Crate extends model(
  "r5u_sm_crates",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(40)),
    parts: relationship<Part[]>("Part", { backPopulates: "crate", cascade: "all, delete-orphan" }),
  },
  { registry },
) {}
class Part extends model(
  "r5u_sm_parts",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    crateId: column(Integer, { nullable: true, foreignKey: "r5u_sm_crates.id" }),
    crate: relationship<Crate>("Crate", { backPopulates: "parts" }),
  },
  { registry },
) {}
registry.registerModels(Shelf, Book, Tag, Crate, Part)

/** How the rows go: a flush, a bulk DELETE, or a commit of a session that does not expire on commit. */
type Gone = "flush" | "bulk DELETE" | "commit"

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a stale member of a loaded collection, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5u-sm-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    /** Shelf 1 with books 1, 2 and tags 1, 2; crate 1 with parts 1, 2. */
    async function seed(): Promise<void> {
      await using s = new AsyncSession(engine)
      await s.execute(deleteFrom(shelfTags))
      await s.execute(deleteFrom(Book), { synchronizeSession: false })
      await s.execute(deleteFrom(Shelf), { synchronizeSession: false })
      await s.execute(deleteFrom(Tag), { synchronizeSession: false })
      await s.execute(deleteFrom(Part), { synchronizeSession: false })
      await s.execute(deleteFrom(Crate), { synchronizeSession: false })
      s.add(
        new Shelf({
          id: 1,
          label: "s",
          books: [new Book({ id: 1, title: "a" }), new Book({ id: 2, title: "b" })],
          tags: [new Tag({ id: 1, name: "x" }), new Tag({ id: 2, name: "y" })],
        }),
      )
      s.add(
        new Crate({
          id: 1,
          label: "c",
          parts: [new Part({ id: 1, name: "p" }), new Part({ id: 2, name: "q" })],
        }),
      )
      await s.commit()
    }

    async function rows(): Promise<Record<string, unknown[][]>> {
      await using r = new AsyncSession(engine)
      const all = async (statement: Parameters<AsyncSession["execute"]>[0]) =>
        (await r.execute(statement)).all().map((row) => [...(row as unknown as unknown[])])
      return {
        shelves: await all(select(Shelf.id).orderBy(Shelf.id)),
        books: await all(select(Book.id, Book.shelfId).orderBy(Book.id)),
        tags: await all(select(Tag.id).orderBy(Tag.id)),
        links: await all(select(shelfTags.c.shelfId, shelfTags.c.tagId).orderBy(shelfTags.c.tagId)),
        crates: await all(select(Crate.id).orderBy(Crate.id)),
        parts: await all(select(Part.id, Part.crateId).orderBy(Part.id)),
      }
    }

    /** Loads shelf 1 and crate 1 with their collections. */
    async function load(session: AsyncSession): Promise<{ shelf: Shelf; crate: Crate }> {
      const shelf = (
        await session.scalars(select(Shelf).options(selectinload(Shelf.books), selectinload(Shelf.tags)))
      ).one() as Shelf
      const crate = (await session.scalars(select(Crate).options(selectinload(Crate.parts)))).one() as Crate
      expect([shelf.books.length, shelf.tags.length, crate.parts.length]).toEqual([2, 2, 2])
      return { shelf, crate }
    }

    /** Deletes book 2, tag 2 and part 2, by a flush (committed or not) or by a bulk DELETE. */
    async function deleteSecond(session: AsyncSession, how: Gone, shelf: Shelf, crate: Crate) {
      const book = shelf.books.find((b) => b.id === 2) as Book
      const tag = shelf.tags.find((t) => t.id === 2) as Tag
      const part = crate.parts.find((p) => p.id === 2) as Part
      if (how !== "bulk DELETE") {
        for (const object of [book, tag, part]) await session.delete(object)
        await session.flush()
      } else {
        await session.execute(deleteFrom(shelfTags).where(shelfTags.c.tagId.eq(2)))
        await session.execute(deleteFrom(Tag).where(Tag.id.eq(2)))
        await session.execute(deleteFrom(Book).where(Book.id.eq(2)))
        await session.execute(deleteFrom(Part).where(Part.id.eq(2)))
      }
      if (how === "commit") await session.commit()
      // What this file is about: the collections still hold them (until reloaded).
      expect([shelf.books.includes(book), shelf.tags.includes(tag), crate.parts.includes(part)]).toEqual([
        true,
        true,
        true,
      ])
      return { book, tag, part }
    }

    const after = {
      books: [[1, 1]],
      tags: [[1]],
      links: [[1, 1]],
      parts: [[1, 1]],
    }

    for (const how of ["flush", "bulk DELETE", "commit"] as Gone[]) {
      it(`(${how}) a new object took the gone rows' keys: removing the stale members leaves the new rows`, async () => {
        await seed()
        await using session = new AsyncSession(engine, { expireOnCommit: how !== "commit" })
        await session.begin()
        const { shelf, crate } = await load(session)
        const { book, tag, part } = await deleteSecond(session, how, shelf, crate)
        // New rows under the same keys, on the same owners, written without the loaded collections.
        session.add(new Book({ id: 2, title: "b2", shelfId: 1 }))
        session.add(new Tag({ id: 2, name: "y2" }))
        session.add(new Part({ id: 2, name: "q2", crateId: 1 }))
        await session.flush()
        await session.execute(insert(shelfTags).values({ shelfId: 1, tagId: 2 }))
        shelf.books.splice(shelf.books.indexOf(book), 1)
        shelf.tags.splice(shelf.tags.indexOf(tag), 1)
        crate.parts.splice(crate.parts.indexOf(part), 1)
        await session.commit()
        expect(await rows()).toEqual({
          shelves: [[1]],
          books: [
            [1, 1],
            [2, 1],
          ],
          tags: [[1], [2]],
          links: [
            [1, 1],
            [1, 2],
          ],
          crates: [[1]],
          parts: [
            [1, 1],
            [2, 1],
          ],
        })
      })
    }

    it("stale members removed inside a savepoint that rolls back: the rows and links are all back", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      await session.begin()
      const { shelf, crate } = await load(session)
      const savepoint = await session.beginNested()
      const { book, tag, part } = await deleteSecond(session, "flush", shelf, crate)
      shelf.books.splice(shelf.books.indexOf(book), 1)
      shelf.tags.splice(shelf.tags.indexOf(tag), 1)
      crate.parts.splice(crate.parts.indexOf(part), 1)
      await session.flush()
      await savepoint.rollback()
      shelf.label = "t"
      await session.commit()
      expect(await rows()).toEqual({
        shelves: [[1]],
        books: [
          [1, 1],
          [2, 1],
        ],
        tags: [[1], [2]],
        links: [
          [1, 1],
          [1, 2],
        ],
        crates: [[1]],
        parts: [
          [1, 1],
          [2, 1],
        ],
      })
    })

    it("a stale member put into another collection is refused, naming the deleted row", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      await session.begin()
      const { shelf, crate } = await load(session)
      const { tag } = await deleteSecond(session, "flush", shelf, crate)
      session.add(new Tag({ id: 2, name: "y2" }))
      const other = new Shelf({ id: 3, label: "n", tags: [tag] })
      // Refused where the cascade reaches it (add), not linked to the new row under its key.
      expect(() => session.add(other)).toThrow(/Tag \(2\).*has been deleted/)
      await session.commit()
      const now = await rows()
      // The refused add left nothing behind: no shelf 3, no link; the new tag 2 is written.
      expect([now.shelves, now.tags, now.links]).toEqual([[[1]], [[1], [2]], [[1, 1]]])
    })

    for (const how of ["flush", "bulk DELETE", "commit"] as Gone[]) {
      it(`(${how}) new objects took the gone rows' keys on other owners: deleting the old owners leaves them`, async () => {
        await seed()
        await using session = new AsyncSession(engine, { expireOnCommit: how !== "commit" })
        await session.begin()
        const { shelf, crate } = await load(session)
        await deleteSecond(session, how, shelf, crate)
        session.addAll([new Shelf({ id: 2, label: "o" }), new Crate({ id: 2, label: "o" })])
        await session.flush()
        session.add(new Book({ id: 2, title: "b2", shelfId: 2 }))
        session.add(new Tag({ id: 2, name: "y2" }))
        session.add(new Part({ id: 2, name: "q2", crateId: 2 }))
        await session.flush()
        await session.execute(insert(shelfTags).values({ shelfId: 2, tagId: 2 }))
        await session.delete(shelf)
        await session.delete(crate)
        await session.commit()
        expect(await rows()).toEqual({
          shelves: [[2]],
          books: [
            [1, null],
            [2, 2],
          ],
          tags: [[1], [2]],
          links: [[2, 2]],
          crates: [[2]],
          parts: [[2, 2]],
        })
      })
    }

    for (const how of ["flush", "bulk DELETE", "commit"] as Gone[]) {
      it(`(${how}) the stale members removed from their collections: nothing about them is written`, async () => {
        await seed()
        await using session = new AsyncSession(engine, { expireOnCommit: how !== "commit" })
        await session.begin()
        const { shelf, crate } = await load(session)
        const { book, tag, part } = await deleteSecond(session, how, shelf, crate)
        for (const [list, member] of [
          [shelf.books, book],
          [shelf.tags, tag],
          [crate.parts, part],
        ] as [object[], object][]) {
          const at = list.indexOf(member)
          if (at >= 0) list.splice(at, 1)
        }
        await session.commit()
        expect(await rows()).toEqual({ shelves: [[1]], crates: [[1]], ...after })
      })

      it(`(${how}) the collections assigned anew: the gone rows stay gone`, async () => {
        await seed()
        await using session = new AsyncSession(engine, { expireOnCommit: how !== "commit" })
        await session.begin()
        const { shelf, crate } = await load(session)
        await deleteSecond(session, how, shelf, crate)
        shelf.books = shelf.books.filter((b) => b.id === 1)
        shelf.tags = shelf.tags.filter((t) => t.id === 1)
        crate.parts = crate.parts.filter((p) => p.id === 1)
        await session.commit()
        expect(await rows()).toEqual({ shelves: [[1]], crates: [[1]], ...after })
      })

      it(`(${how}) the collections assigned without any old member: the live ones are unlinked or deleted`, async () => {
        await seed()
        await using session = new AsyncSession(engine, { expireOnCommit: how !== "commit" })
        await session.begin()
        const { shelf, crate } = await load(session)
        await deleteSecond(session, how, shelf, crate)
        shelf.books = [new Book({ id: 3, title: "c" })]
        shelf.tags = []
        crate.parts = [new Part({ id: 3, name: "r" })]
        await session.commit()
        expect(await rows()).toEqual({
          shelves: [[1]],
          books: [
            [1, null],
            [3, 1],
          ],
          tags: [[1]],
          links: [],
          crates: [[1]],
          // Part 1 is an orphan: deleted.
          parts: [[3, 1]],
        })
      })

      it(`(${how}) the owners deleted (crate's parts by its delete cascade, shelf's books unlinked)`, async () => {
        await seed()
        await using session = new AsyncSession(engine, { expireOnCommit: how !== "commit" })
        await session.begin()
        const { shelf, crate } = await load(session)
        await deleteSecond(session, how, shelf, crate)
        await session.delete(shelf)
        await session.delete(crate)
        await session.commit()
        expect(await rows()).toEqual({
          shelves: [],
          books: [[1, null]],
          tags: [[1]],
          links: [],
          crates: [],
          parts: [],
        })
      })

      it(`(${how}) the stale members left in place, the owners changed: nothing about them is written`, async () => {
        await seed()
        await using session = new AsyncSession(engine, { expireOnCommit: how !== "commit" })
        await session.begin()
        const { shelf, crate } = await load(session)
        await deleteSecond(session, how, shelf, crate)
        shelf.label = "t"
        crate.label = "d"
        shelf.books.push(new Book({ id: 4, title: "d" }))
        crate.parts.push(new Part({ id: 4, name: "s" }))
        await session.commit()
        expect(await rows()).toEqual({
          shelves: [[1]],
          books: [
            [1, 1],
            [4, 1],
          ],
          tags: [[1]],
          links: [[1, 1]],
          crates: [[1]],
          parts: [
            [1, 1],
            [4, 1],
          ],
        })
      })
    }
  })
}
