// An embedded `:memory:` database lives in one client that every connection of the engine shares, and
// that client has one SQLite connection. b54efc1 made the embedded client's batch() a transaction of
// its own (to commit it through exec): a transaction holds the connection across its awaits, and the
// client refuses, rather than queues, a second transaction while one holds its only connection. Two
// batches at once (two commits, two eager loads of a Promise.all, two requests of a server) then
// failed the second with "This client has a single connection, which an open transaction is holding";
// the client's own batch() ran between two awaits and queued the other.
import { describe, expect, it } from "vitest"
import {
  AsyncSession,
  column,
  createAll,
  Integer,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
} from "../../src/index.ts"
import { createEngine } from "../../src/libsql-node.ts"

const registry = new Registry()
class Shelf extends model(
  "rv4_mem_shelves",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    volumes: relationship<Tome[]>("Tome", { backPopulates: "shelf" }),
  },
  { registry },
) {}
class Tome extends model(
  "rv4_mem_tomes",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    shelfId: column(Integer, { nullable: true, foreignKey: "rv4_mem_shelves.id" }),
    shelf: relationship<Shelf | null>("Shelf", { backPopulates: "volumes" }),
  },
  { registry },
) {}
registry.registerModels(Shelf, Tome)

describe("an embedded :memory: engine", () => {
  const engine = createEngine(":memory:")

  it("runs two commits of one request each at once", async () => {
    {
      await using connection = engine.connect()
      await createAll(registry.metadata, connection)
    }
    await using first = new AsyncSession(engine)
    await using second = new AsyncSession(engine)
    const a = new Shelf({ name: "a" })
    const b = new Shelf({ name: "b" })
    first.addAll([a, new Tome({ title: "a1", shelf: a } as never)])
    second.addAll([b, new Tome({ title: "b1", shelf: b } as never)])
    await Promise.all([first.commit(), second.commit()])
    await using reader = new AsyncSession(engine)
    expect((await reader.scalars(select(Tome.c.title).orderBy(Tome.c.title))).all()).toEqual(["a1", "b1"])
  })

  it("runs two eager loads (batches of reads) at once", async () => {
    await using first = new AsyncSession(engine)
    await using second = new AsyncSession(engine)
    const query = select(Shelf).options(selectinload(Shelf.volumes)).orderBy(Shelf.c.name)
    const [x, y] = await Promise.all([first.scalars(query), second.scalars(query)])
    expect(x.all().map((shelf) => shelf.volumes.length)).toEqual([1, 1])
    expect(y.all().map((shelf) => shelf.name)).toEqual(["a", "b"])
  })
})
