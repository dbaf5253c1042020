// merge() in a loop of detached objects whose graph is loaded both ways (each book's author, the
// author's books): merging one book merges the author and every book of it, as SQLAlchemy's merge
// cascade does, so the loop is N times N. It was N^3: assigning each merged book its author, the
// same object it had, put the book back into the author's collection, looking for it there first
// (RelationshipList.addQuietly: `includes`), though the collection held it. SQLAlchemy's backref
// returns when the object set is the one already there; ours now does too (relationship-accessors.ts).
// 2,000 books: 20 s of CPU before, 6 s after (tools/scale, libsql-local).
//
// Counted, not timed: the calls of `includes` on relationship lists while merging.
import { afterEach, describe, expect, it } from "vitest"
import {
  AsyncSession,
  column,
  Integer,
  inspect,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
} from "../../src/index.ts"
import { RelationshipList } from "../../src/orm/collection.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Author extends model(
  "sl_merge_authors",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    books: relationship<Book[]>("Book", { backPopulates: "author" }),
  },
  { registry },
) {}
class Book extends model(
  "sl_merge_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    authorId: column(Integer, { nullable: true, foreignKey: "sl_merge_authors.id" }),
    author: relationship<Author | null>("Author", { backPopulates: "books" }),
  },
  { registry },
) {}
registry.registerModels(Author, Book)

const fixture = libsqlHttpFixture()
const engine = fixture.engine(`sl-merge-${Date.now().toString(36)}`)
freshSchema(engine, registry.metadata)

const prototype = RelationshipList.prototype as { includes?: unknown }
afterEach(() => {
  delete prototype.includes
})

/** Merges, one by one, the `n` books of a new author loaded both ways in another session; counts `includes`. */
async function includesOfMerging(n: number): Promise<number> {
  let authorId = 0
  {
    await using session = new AsyncSession(engine)
    const author = new Author({ name: `a${n}` })
    for (let i = 0; i < n; i++) new Book({ title: `b${i}`, author } as never)
    session.add(author)
    await session.commit()
    authorId = author.id
  }
  let detached: Book[] = []
  {
    await using session = new AsyncSession(engine)
    const author = (
      await session.scalars(select(Author).where(Author.id.eq(authorId)).options(selectinload(Author.books)))
    ).one()
    detached = [...author.books]
  }
  await using session = new AsyncSession(engine)
  await session.scalars(select(Author).where(Author.id.eq(authorId)).options(selectinload(Author.books)))
  let calls = 0
  prototype.includes = function (this: unknown[], ...args: [unknown, number?]) {
    calls++
    return Array.prototype.includes.apply(this, args)
  }
  for (const book of detached) {
    const merged = await session.merge(book)
    expect(inspect(merged).state).toBe("persistent")
  }
  delete prototype.includes
  const author = await session.get(Author, authorId)
  expect(author?.books).toHaveLength(n)
  return calls
}

describe(`merge() in a loop on ${fixture.name}`, () => {
  it("looks through the author's collection a number of times that grows with the merges, not faster", async () => {
    const small = await includesOfMerging(100)
    const large = await includesOfMerging(200)
    // Was 10,000 and 40,000: each merge looked for each of the author's books in its collection.
    expect(small).toBeLessThanOrEqual(2 * 100)
    expect(large).toBeLessThanOrEqual(2.5 * Math.max(small, 100))
  })
})
