// merge() saves what it changes so that a refusal midway can put it back (9a96a37). It saved every
// object the session held, before its first change, on every call: merging detached objects one by one
// into a session (a sync job, a cache of detached objects brought back) cost the square of their
// number: 4,000 merges took 3.7 s of CPU where they had taken 27 ms (npx tsx tools/scale/loops.ts,
// "merge() loop"). It now saves only the objects a merge changes: the merged objects and the other
// sides of the relationships it sets. Counted, not timed: the objects saved, which must not grow with
// what else the session holds.
import { describe, expect, it, vi } from "vitest"
import {
  AsyncSession,
  column,
  Integer,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
} from "../../src/index.ts"
import * as changes from "../../src/orm/session-changes.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

vi.mock("../../src/orm/session-changes.ts", async (original) => {
  const module = await original<typeof import("../../src/orm/session-changes.ts")>()
  return { ...module, saveOf: vi.fn(module.saveOf) }
})

const registry = new Registry()
class Author extends model(
  "r6l_mc_authors",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    books: relationship<Book[]>("Book", { backPopulates: "author" }),
  },
  { registry },
) {}
class Book extends model(
  "r6l_mc_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    authorId: column(Integer, { nullable: true, foreignKey: "r6l_mc_authors.id" }),
    author: relationship<Author | null>("Author", { backPopulates: "books" }),
  },
  { registry },
) {}
registry.registerModels(Author, Book)

const fixture = libsqlHttpFixture()
const engine = fixture.engine(`r6l-mc-${Date.now().toString(36)}`)
freshSchema(engine, registry.metadata)

describe("merge() saves what it changes, not what the session holds", () => {
  it("merging a book with its author saves the same few objects beside 10 or 400 others", async () => {
    {
      await using session = new AsyncSession(engine)
      const author = new Author({ id: 1, name: "a" })
      session.add(author)
      for (let i = 1; i <= 400; i++) session.add(new Book({ id: i, title: `b${i}`, author } as never))
      await session.commit()
    }
    let detached: Book
    {
      await using session = new AsyncSession(engine)
      detached = (
        await session.scalars(select(Book).where(Book.id.eq(1)).options(selectinload(Book.author)))
      ).one()
    }
    detached.title = "merged"
    const saves = async (held: number) => {
      await using session = new AsyncSession(engine)
      await session.scalars(select(Book).where(Book.id.le(held)))
      const saveOf = vi.mocked(changes.saveOf)
      saveOf.mockClear()
      const merged = await session.merge(detached)
      expect([merged.title, merged.author?.name]).toEqual(["merged", "a"])
      return saveOf.mock.calls.length
    }
    const beside10 = await saves(10)
    const beside400 = await saves(400)
    // The held book and its author.
    expect(beside10).toBe(2)
    expect(beside400).toBe(beside10)
  })
})
