// What the application changes on an object while `commit({ read })` is out (a Promise.all, a
// waitUntil): a plain commit keeps it for the next flush (test/concurrency/changes-in-flight.test.ts),
// but the read's rows, which refresh the session's objects as populateExisting does, overwrote it: a
// column set meanwhile took the row's value back, a child pushed meanwhile onto a collection the read
// loads was dropped from it, and neither was ever written, with nothing said. The read now refreshes
// what the application left alone and keeps what it changed meanwhile, for the next flush to write.
import { afterEach, describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, select, selectinload } from "../../src/index.ts"
import { holdNextRequest, stopHolding } from "../concurrency/held-request.ts"
import { concurrencyModels } from "../concurrency/models.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const { registry, Doc, Note } = concurrencyModels("lf_late_read")

afterEach(() => stopHolding())

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`changes made while commit({ read }) is out, on ${fixture.name}`, () => {
    const scope = `lf-late-read-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    let next = 0
    const unique = (what: string) => `${what}-${++next}`

    /** A stored document, with its notes loaded, in a session of its own. */
    const storedDoc = async (session: AsyncSession) => {
      const doc = new Doc({ name: unique("doc") })
      session.add(doc)
      await session.commit()
      const query = select(Doc).where(Doc.id.eq(doc.id)).options(selectinload(Doc.notes))
      return (await session.scalars(query, { populateExisting: true })).one()
    }

    /** `commit({ read })` of the document with its notes, and `meanwhile` once its request is out. */
    const commitReadingWhile = async (session: AsyncSession, id: number, meanwhile: () => void) => {
      const held = holdNextRequest(scope)
      const commit = session.commit({
        read: select(Doc).where(Doc.id.eq(id)).options(selectinload(Doc.notes)),
      })
      await held.sent
      meanwhile()
      held.release()
      return (await commit).scalars().one()
    }

    const storedRow = async (id: number) => {
      await using reader = new AsyncSession(engine)
      const doc = await reader.scalars(select(Doc).where(Doc.id.eq(id)).options(selectinload(Doc.notes)))
      const { name, n, notes } = doc.one()
      return { name, n, notes: notes.map((note) => note.body).sort() }
    }

    it("keeps a column set meanwhile, and the next commit writes it", async () => {
      await using session = new AsyncSession(engine)
      const doc = await storedDoc(session)
      const renamed = unique("renamed")
      doc.name = renamed
      const read = await commitReadingWhile(session, doc.id, () => (doc.n = 5))
      expect(read).toBe(doc)
      expect([doc.name, doc.n, session.isModified(doc)]).toEqual([renamed, 5, true])
      expect(await storedRow(doc.id)).toEqual({ name: renamed, n: 0, notes: [] })
      await session.commit()
      expect(await storedRow(doc.id)).toEqual({ name: renamed, n: 5, notes: [] })
    })

    it("keeps a child pushed meanwhile onto a collection the read loads, and the next commit inserts it", async () => {
      await using session = new AsyncSession(engine)
      const doc = await storedDoc(session)
      doc.notes.push(new Note({ body: "first" }))
      const late = new Note({ body: "late" })
      await commitReadingWhile(session, doc.id, () => doc.notes.push(late))
      expect(doc.notes.map((note) => note.body).sort()).toEqual(["first", "late"])
      expect(await storedRow(doc.id)).toMatchObject({ notes: ["first"] })
      await session.commit()
      expect(await storedRow(doc.id)).toMatchObject({ notes: ["first", "late"] })
      expect(late.docId).toBe(doc.id)
    })

    it("refreshes the columns nobody changed meanwhile from the row", async () => {
      await using session = new AsyncSession(engine)
      const doc = await storedDoc(session)
      // Changed behind the session's back: the read brings it in, as populateExisting does.
      await using other = new AsyncSession(engine)
      const theirs = await other.get(Doc, doc.id)
      if (!theirs) throw new Error("the document is not stored")
      theirs.n = 9
      await other.commit()
      const renamed = unique("renamed")
      doc.name = renamed
      await commitReadingWhile(session, doc.id, () => undefined)
      expect([doc.name, doc.n, session.isModified(doc)]).toEqual([renamed, 9, false])
    })
  })
}
