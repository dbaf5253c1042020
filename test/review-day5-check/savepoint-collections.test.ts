// A savepoint's rollback puts back relationships as the database has them again. A flush inside the
// savepoint that wrote a loaded collection left it claiming the links the rollback undid:
// (i) on an object held before the savepoint whose members were put back unflushed (pushed, flushed,
// popped), the committed members stayed as flushed, so the commit wrote the difference: a one-way
// collection's member unlinked from the shelf its row is on (silently, its key set to NULL), a
// many-to-many link inserted twice (IntegrityError at commit);
// (ii) on an object first loaded inside the savepoint whose only change was the collection (no UPDATE
// of its own row, so nothing noted it), the collection kept the member whose key the rollback undid.
// Such relationships are now unloaded, as others the savepoint changed (refresh() loads them).
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  model,
  NotLoadedError,
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
  "r5c_sc_shelf_tags",
  {
    shelfId: column(Integer, { primaryKey: true, foreignKey: "r5c_sc_shelves.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "r5c_sc_tags.id" }),
  },
  { metadata: registry.metadata },
)
class Shelf extends model(
  "r5c_sc_shelves",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(40)),
    books: relationship<Book[]>("Book"),
    tags: relationship<Tag[]>("Tag", { secondary: shelfTags }),
  },
  { registry },
) {}
class Book extends model(
  "r5c_sc_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    shelfId: column(Integer, { nullable: true, foreignKey: "r5c_sc_shelves.id" }),
  },
  { registry },
) {}
class Tag extends model(
  "r5c_sc_tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
  },
  { registry },
) {}
registry.registerModels(Shelf, Book, Tag)

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`collections a savepoint's flush wrote, after its rollback, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5c-sc-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    async function seed() {
      await using s = new AsyncSession(engine)
      await s.execute(deleteFrom(shelfTags))
      await s.execute(deleteFrom(Book), { synchronizeSession: false })
      await s.execute(deleteFrom(Shelf), { synchronizeSession: false })
      await s.execute(deleteFrom(Tag), { synchronizeSession: false })
      const one = new Shelf({ label: "one" })
      const two = new Shelf({ label: "two" })
      const t = new Tag({ name: "t" })
      one.books = [new Book({ title: "a" })]
      two.books = [new Book({ title: "b" })]
      one.tags = [t]
      s.addAll([one, two, t])
      await s.commit()
      return { one: one.id, two: two.id, b: (two.books[0] as Book).id, t: t.id }
    }
    async function rows() {
      await using r = new AsyncSession(engine)
      const books = (await r.execute(select(Book.title, Book.shelfId).orderBy(Book.title)))
        .all()
        .map((x) => [...x])
      const links = (await r.execute(select(shelfTags.c.shelfId, shelfTags.c.tagId))).all().map((x) => [...x])
      return { books, links }
    }
    it("(i) a one-way collection: its member stays on the shelf its row is on", async () => {
      const ids = await seed()
      await using s = new AsyncSession(engine)
      const [one] = (
        await s.scalars(select(Shelf).where(Shelf.id.eq(ids.one)).options(selectinload(Shelf.books)))
      ).all() as [Shelf]
      const b = (await s.get(Book, ids.b)) as Book
      const sp = await s.beginNested()
      one.books.push(b)
      await s.flush()
      one.books.pop()
      await sp.rollback()
      expect(b.shelfId).toBe(ids.two)
      expect(() => one.books).toThrow(NotLoadedError)
      await s.commit()
      expect((await rows()).books).toEqual([
        ["a", ids.one],
        ["b", ids.two],
      ])
    })
    it("(i) a many-to-many collection: its link is not inserted again", async () => {
      const ids = await seed()
      await using s = new AsyncSession(engine)
      const [one] = (
        await s.scalars(select(Shelf).where(Shelf.id.eq(ids.one)).options(selectinload(Shelf.tags)))
      ).all() as [Shelf]
      const t = one.tags[0] as Tag
      const sp = await s.beginNested()
      one.tags.pop()
      await s.flush()
      one.tags.push(t)
      await sp.rollback()
      await s.commit()
      expect((await rows()).links).toEqual([[ids.one, ids.t]])
    })
    it("(ii) loaded inside the savepoint: the collection no longer holds the member the rollback took out", async () => {
      const ids = await seed()
      await using s = new AsyncSession(engine)
      const b = (await s.get(Book, ids.b)) as Book
      const sp = await s.beginNested()
      const [one] = (
        await s.scalars(select(Shelf).where(Shelf.id.eq(ids.one)).options(selectinload(Shelf.books)))
      ).all() as [Shelf]
      one.books.push(b)
      await s.flush()
      await sp.rollback()
      expect(b.shelfId).toBe(ids.two)
      expect(() => one.books).toThrow(NotLoadedError)
      await s.refresh(one, ["books"])
      expect(one.books.map((book) => book.title)).toEqual(["a"])
      await s.commit()
      expect((await rows()).books).toEqual([
        ["a", ids.one],
        ["b", ids.two],
      ])
    })
  })
}
