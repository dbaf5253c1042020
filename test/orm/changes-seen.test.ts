// What the README's "Changes the flush sees" says: an assigned value is written, a value changed in
// place is not (as SQLAlchemy without `Mutable`), and a loop of changes and queries inside
// `noAutoflush` flushes nothing until the commit, which writes every change in one request.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  DateTime,
  Integer,
  inspect,
  Json,
  model,
  Registry,
  type RoundTrip,
  String,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "./fresh-schema.ts"

const registry = new Registry()
class Note extends model(
  "cs_notes",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    meta: column(Json<{ tags: string[] }>()),
    at: column(DateTime),
  },
  { registry },
) {}
registry.registerModels(Note)

/** An UPDATE of the notes, bare (SQLite) or in the CTE that checks its row count (PostgreSQL). */
const UPDATES = /\bUPDATE "cs_notes"/

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`changes the flush sees on ${fixture.name}`, () => {
    const engine = fixture.engine(`changes-seen-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    async function stored(id: number) {
      await using session = new AsyncSession(engine)
      const note = await session.get(Note, id)
      return { meta: note?.meta, at: note?.at.toISOString() }
    }

    it("writes an assigned value, not one changed in place", async () => {
      let id: number
      {
        await using session = new AsyncSession(engine)
        const note = new Note({ title: "n", meta: { tags: ["a"] }, at: new Date(0) })
        session.add(note)
        await session.commit()
        id = note.id
      }
      {
        await using session = new AsyncSession(engine)
        const note = (await session.get(Note, id)) as Note
        note.meta.tags.push("b")
        note.at.setUTCFullYear(2020)
        expect(inspect(note).modified).toEqual([])
        await session.commit()
      }
      expect(await stored(id)).toEqual({ meta: { tags: ["a"] }, at: "1970-01-01T00:00:00.000Z" })
      {
        await using session = new AsyncSession(engine)
        const note = (await session.get(Note, id)) as Note
        note.meta = { ...note.meta, tags: [...note.meta.tags, "b"] }
        note.at = new Date(Date.UTC(2020, 0, 1))
        expect(inspect(note).modified).toEqual(["meta", "at"])
        await session.commit()
      }
      expect(await stored(id)).toEqual({ meta: { tags: ["a", "b"] }, at: "2020-01-01T00:00:00.000Z" })
    })

    it("flushes a loop of changes and queries under noAutoflush once, at the commit", async () => {
      {
        await using session = new AsyncSession(engine)
        session.addAll(
          Array.from(
            { length: 5 },
            (_, i) => new Note({ title: `loop ${i}`, meta: { tags: [] }, at: new Date(0) }),
          ),
        )
        await session.commit()
      }
      await using session = new AsyncSession(engine)
      const notes = (await session.scalars(select(Note).where(Note.title.like("loop %")))).all()
      const trips: RoundTrip[] = []
      const stop = engine.on("roundTrip", (trip) => trips.push(trip))
      try {
        await session.noAutoflush(async () => {
          for (const note of notes) {
            note.title = `${note.title}!`
            // Sees the database, not the change: nothing was flushed.
            const title = await session.scalar(select(Note.title).where(Note.id.eq(note.id)))
            expect(title).toBe(note.title.slice(0, -1))
          }
        })
        await session.commit()
      } finally {
        stop()
      }
      const writes = trips.filter((trip) => trip.statements.some((q) => UPDATES.test(q.sql)))
      expect(trips.length).toBe(notes.length + 1)
      expect(writes).toHaveLength(1)
      expect(writes[0]?.statements.filter((q) => UPDATES.test(q.sql)).length).toBe(notes.length)
    })
  })
}
