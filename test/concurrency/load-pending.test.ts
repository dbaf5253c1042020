// session.load() of objects the session has not written yet: it autoflushes them, as every query does,
// but it had read their keys first, before the autoflush gave them any. It found no children for
// them and replaced their collections with empty ones: a child pushed onto a new document vanished
// from its list though the flush had just stored it under that document.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { concurrencyModels } from "./models.ts"

const { registry, Doc, Note } = concurrencyModels("load")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`session.load() of new objects on ${fixture.name}`, () => {
    const engine = fixture.engine(`cc-load-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let next = 0
    const unique = (what: string) => `${what}-${++next}`

    it("loads what the autoflush stored for them, beside a stored object's", async () => {
      await using session = new AsyncSession(engine)
      const stored = new Doc({ name: unique("stored") })
      session.add(stored)
      await session.commit()
      session.add(new Note({ body: "by key", docId: stored.id }))
      const fresh = new Doc({ name: unique("fresh") })
      const pushed = new Note({ body: "pushed" })
      fresh.notes.push(pushed)
      session.add(fresh)
      await session.load([stored, fresh], Doc.notes)
      expect(fresh.notes).toEqual([pushed])
      expect(stored.notes.map((note) => note.body)).toEqual(["by key"])
      await session.commit()
      await using reader = new AsyncSession(engine)
      const notes = await reader.scalars(select(Note).where(Note.docId.eq(fresh.id)))
      expect(notes.all().map((note) => note.body)).toEqual(["pushed"])
    })
  })
}
