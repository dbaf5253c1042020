// Reads of one session at once (a Promise.all in a handler) while it has a change to autoflush: the
// change is written once, every read sees it, and each row is one object whatever read it.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, func, select, selectinload } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { concurrencyModels } from "./models.ts"

const { registry, Doc, Note } = concurrencyModels("reads")

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`reads at once on ${fixture.name}`, () => {
    const engine = fixture.engine(`cc-reads-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("autoflush once, and one object per row across get, scalars, paginate, refresh and load", async () => {
      await using session = new AsyncSession(engine)
      const doc = new Doc({ name: "read-at-once" })
      doc.notes.push(new Note({ body: "first" }))
      session.add(doc)
      await session.commit()
      session.expungeAll()
      const pending = new Note({ body: "second", docId: doc.id })
      session.add(pending)
      const byId = select(Doc).where(Doc.id.eq(doc.id))
      const [got, again, queried, page, withNotes, count] = await Promise.all([
        session.get(Doc, doc.id),
        session.get(Doc, doc.id),
        session.scalars(byId),
        session.paginate(byId, { page: 1, pageSize: 5 }),
        session.scalars(byId.options(selectinload(Doc.notes))),
        session.scalar(select(func.count()).selectFrom(Note).where(Note.docId.eq(doc.id))),
      ])
      const one = got as InstanceType<typeof Doc>
      expect([again, queried.one(), page.items[0], withNotes.one()].every((item) => item === one)).toBe(true)
      expect(Number(count)).toBe(2)
      await Promise.all([session.refresh(one, ["notes"]), session.load([one], Doc.notes)])
      expect(one.notes.map((note) => note.body).sort()).toEqual(["first", "second"])
      expect(one.notes).toContain(pending)
      await session.commit()
      await using reader = new AsyncSession(engine)
      const stored = await reader.scalar(select(func.count()).selectFrom(Note).where(Note.docId.eq(doc.id)))
      expect(Number(stored)).toBe(2)
    })
  })
}
