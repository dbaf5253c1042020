// The ORM's SQLite flush assigns generated keys itself, `max(key) + n` (a whole flush in one request,
// children finding their new parents' keys by position). On a table declared `sqliteAutoincrement`
// that gave a deleted last row's id to the next object all the same: the INSERT named the id, and
// SQLite's AUTOINCREMENT only refuses to reuse ids it picks itself. The flush now starts past
// sqlite_sequence's number too; parents and children made in one flush still find each other.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  AsyncSession,
  column,
  createStatements,
  type Engine,
  Integer,
  model,
  ProgrammingError,
  Registry,
  relationship,
  select,
  sqlite,
  text,
  String as Varchar,
} from "../../src/index.ts"
import {
  type MigrationDatabases,
  migrationDatabases,
  type Target,
  type TargetName,
} from "../migrate/databases.ts"

const registry = new Registry()
class Shelf extends model(
  "r6a_shelves",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(Varchar(20)),
    books: relationship<Book[]>("Book", { backPopulates: "shelf" }),
  },
  { registry, sqliteAutoincrement: true },
) {}
class Book extends model(
  "r6a_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(Varchar(20)),
    shelfId: column(Integer, { name: "shelf_id", foreignKey: "r6a_shelves.id" }),
    shelf: relationship<Shelf>("Shelf", { backPopulates: "books" }),
  },
  { registry, sqliteAutoincrement: true },
) {}
registry.registerModels(Shelf, Book)

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

async function created(engine: Engine): Promise<void> {
  const connection = engine.connect()
  try {
    await connection.batch(createStatements(registry.metadata, sqlite))
  } finally {
    await connection.close()
  }
}

describe("SQLite, a database no table of which has AUTOINCREMENT", () => {
  it("refuses to write a model that declares it, naming the fix, and writes nothing", async () => {
    // A fresh embedded database (the reset removes its file): no sqlite_sequence yet.
    const engine = target("libsql-embedded").engine()
    await engine.execute(text("CREATE TABLE r6a_shelves (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL)"))
    await using session = new AsyncSession(engine)
    session.add(new Shelf({ name: "a" }))
    const refused = await session.commit().catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ProgrammingError)
    expect((refused as Error).message).toBe(
      "SQLITE_ERROR: no such table: sqlite_sequence: a model declares sqliteAutoincrement, and its table in the database " +
        "was made without AUTOINCREMENT. Nothing was written: apply the revision that gives it (migrate check shows it missing)",
    )
    expect((await engine.execute(text("SELECT count(*) FROM r6a_shelves"))).scalar()).toBe(0n)
  })
})

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("SQLite on %s", (name) => {
  it("gives a new object no id a deleted row had", async () => {
    const engine = target(name).engine("r6a-flush")
    await created(engine)
    {
      await using session = new AsyncSession(engine)
      session.add(new Shelf({ name: "a" }))
      session.add(new Shelf({ name: "b" }))
      await session.commit()
    }
    {
      await using session = new AsyncSession(engine)
      const last = await session.scalar(select(Shelf).where(Shelf.c.name.eq("b")))
      expect(last?.id).toBe(2)
      await session.delete(last as Shelf)
      await session.commit()
    }
    await using session = new AsyncSession(engine)
    const shelf = new Shelf({ name: "c" })
    const books = [new Book({ title: "x", shelf }), new Book({ title: "y", shelf })]
    session.add(shelf)
    await session.commit()
    expect(shelf.id).toBe(3)
    expect(books.map((b) => [b.id, b.shelfId])).toEqual([
      [1, 3],
      [2, 3],
    ])
    await session.delete(books[1] as Book)
    await session.commit()
    const more = new Book({ title: "z", shelf })
    session.add(more)
    await session.commit()
    expect(more.id).toBe(3)
    const stored = (await session.scalars(select(Book).orderBy(Book.id))).all()
    expect(stored.map((b) => [b.id, b.title, b.shelfId])).toEqual([
      [1, "x", 3],
      [3, "z", 3],
    ])
  })
})
