// A model whose columns are declared in another order than the table has them: what a migration that
// adds a column gives (ALTER TABLE ... ADD COLUMN appends it) when the model declares it beside the
// columns it belongs with. The SQLite flush's INSERT returned `RETURNING *`, the table's order, and read
// it in the model's: a new object took its neighbours' values (a text column the other's text, silently)
// or the commit failed decoding one into the other's type. PostgreSQL's names its columns (the control).
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  createAll,
  DateTime,
  dropAll,
  Integer,
  model,
  Registry,
  String,
  select,
  Text,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

const TABLE = "r6b_order_notes"

/** The table as its first revision made it: id, title, created_at. */
const before = new Registry()
class NoteV1 extends model(
  TABLE,
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    createdAt: column(DateTime, { name: "created_at" }),
  },
  { registry: before },
) {}
before.registerModels(NoteV1)

/** The model after a revision added `summary` (appended to the table), declared beside the title. */
const after = new Registry()
class Note extends model(
  TABLE,
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    summary: column(Text, { nullable: true }),
    createdAt: column(DateTime, { name: "created_at" }),
  },
  { registry: after },
) {}
after.registerModels(Note)

/** Two text columns: the table has (id, first, second), the model (id, second, first). */
const PAIRS = "r6b_order_pairs"
const pairsBefore = new Registry()
class PairV1 extends model(
  PAIRS,
  { id: column(Integer, { primaryKey: true }), first: column(Text) },
  { registry: pairsBefore },
) {}
pairsBefore.registerModels(PairV1)
const pairsAfter = new Registry()
class Pair extends model(
  PAIRS,
  {
    id: column(Integer, { primaryKey: true }),
    second: column(Text),
    first: column(Text),
  },
  { registry: pairsAfter },
) {}
pairsAfter.registerModels(Pair)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a model whose column order is not the table's, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r6b-order-${fixture.name}-${Date.now().toString(36)}`)
    beforeAll(async () => {
      await using connection = engine.connect()
      for (const metadata of [before.metadata, pairsBefore.metadata]) {
        await dropAll(metadata, connection)
        await createAll(metadata, connection)
      }
      await connection.execute(text(`ALTER TABLE ${TABLE} ADD COLUMN summary TEXT`))
      await connection.execute(text(`ALTER TABLE ${PAIRS} ADD COLUMN second TEXT`))
    })
    afterAll(async () => {
      await using connection = engine.connect()
      for (const metadata of [before.metadata, pairsBefore.metadata]) await dropAll(metadata, connection)
    })

    it("text columns in another order keep their own values (they were swapped, silently)", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: false })
      const pair = new Pair({ first: "one", second: "two" })
      session.add(pair)
      await session.commit()
      expect([pair.first, pair.second]).toEqual(["one", "two"])
      // A later change of the object writes what it holds: it must hold what the row has.
      pair.second = "deux"
      await session.commit()
      const stored = (await session.execute(select(Pair.first, Pair.second).where(Pair.id.eq(pair.id)))).one()
      expect(stored).toEqual(["one", "deux"])
    })

    it("an inserted object keeps the values it was given, and the row holds them", async () => {
      const createdAt = new Date("2026-12-07T10:00:00.000Z")
      {
        await using session = new AsyncSession(engine, { expireOnCommit: false })
        const note = new Note({ title: "Title", summary: "Summary", createdAt })
        session.add(note)
        await session.commit()
        // What the INSERT returned: each column's own value.
        expect([note.title, note.summary, note.createdAt.toISOString()]).toEqual([
          "Title",
          "Summary",
          createdAt.toISOString(),
        ])
        const bare = new Note({ title: "No summary", createdAt })
        session.add(bare)
        await session.commit()
        expect([bare.title, bare.summary, bare.createdAt.toISOString()]).toEqual([
          "No summary",
          null,
          createdAt.toISOString(),
        ])
      }
      await using reader = new AsyncSession(engine)
      const rows = (await reader.execute(select(Note.title, Note.summary).orderBy(Note.id))).all()
      expect(rows).toEqual([
        ["Title", "Summary"],
        ["No summary", null],
      ])
    })

    it("an updated object reads back its own columns", async () => {
      const createdAt = new Date("2026-12-07T11:00:00.000Z")
      await using session = new AsyncSession(engine, { expireOnCommit: false })
      const note = new Note({ title: "Edited", summary: "first", createdAt })
      session.add(note)
      await session.commit()
      note.summary = "second"
      await session.commit()
      expect([note.title, note.summary]).toEqual(["Edited", "second"])
    })
  })
}
