// What a handler does to the session's objects while a commit is out (a Promise.all, a
// waitUntil(session.commit()) while it goes on): the commit's answer used to overwrite it. A column set
// meanwhile took the RETURNING row's value back and was never written; a child pushed meanwhile was
// taken as stored and never inserted; a failed commit put the objects back as before it, dropping the
// change too. An object expunged meanwhile came back into the identity map (or into the session), even
// after another session had taken it; a new object deleted meanwhile was dropped from the session while
// its row was being inserted, and the row stayed (and one deleted, added back meanwhile, was deleted all
// the same). A query without autoflush that read a new row, or a row under the key a flush gave it,
// before the flush's answer came back left two persistent objects for it. Each request here is held
// until the change is made.
import { afterEach, describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  IntegrityError,
  InvalidRequestError,
  inspect,
  select,
  selectinload,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { holdNextRequest, stopHolding } from "./held-request.ts"
import { concurrencyModels } from "./models.ts"

const { registry, Doc, Note } = concurrencyModels("inflight")

// A test that failed before its request went out leaves no fetch held for the next.
afterEach(() => stopHolding())

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`changes made while a commit is out, on ${fixture.name}`, () => {
    const scope = `cc-inflight-${fixture.name}-${Date.now().toString(36)}`
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

    /** `commit()`, and `meanwhile` once its request is out; then the commit's outcome. */
    const commitWhile = async (session: AsyncSession, meanwhile: () => void) => {
      const held = holdNextRequest(scope)
      const commit = session.commit()
      await held.sent
      meanwhile()
      held.release()
      return await commit.then(
        () => undefined,
        (error: unknown) => error,
      )
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
      expect(await commitWhile(session, () => (doc.n = 5))).toBeUndefined()
      expect([doc.name, doc.n, session.isModified(doc)]).toEqual([renamed, 5, true])
      expect(await storedRow(doc.id)).toEqual({ name: renamed, n: 0, notes: [] })
      await session.commit()
      expect(await storedRow(doc.id)).toEqual({ name: renamed, n: 5, notes: [] })
    })

    it("keeps a child pushed meanwhile, and the next commit inserts it", async () => {
      await using session = new AsyncSession(engine)
      const doc = await storedDoc(session)
      doc.n = 1
      const late = new Note({ body: "late" })
      expect(await commitWhile(session, () => doc.notes.push(late))).toBeUndefined()
      expect(doc.notes).toEqual([late])
      await session.commit()
      expect(await storedRow(doc.id)).toMatchObject({ n: 1, notes: ["late"] })
      expect(late.docId).toBe(doc.id)
    })

    it("keeps a change made meanwhile when the commit fails", async () => {
      await using session = new AsyncSession(engine)
      const taken = await storedDoc(session)
      const doc = await storedDoc(session)
      doc.name = taken.name
      const late = new Note({ body: "late" })
      const failure = await commitWhile(session, () => {
        doc.n = 4
        doc.notes.push(late)
      })
      expect(failure).toBeInstanceOf(IntegrityError)
      expect([doc.n, doc.notes]).toEqual([4, [late]])
      doc.name = unique("free")
      await session.commit()
      expect(await storedRow(doc.id)).toEqual({ name: doc.name, n: 4, notes: ["late"] })
    })

    it("leaves out of the session a new object expunged meanwhile; another session may take it", async () => {
      await using session = new AsyncSession(engine)
      const doc = new Doc({ name: unique("expunged") })
      session.add(doc)
      await using other = new AsyncSession(engine)
      expect(await commitWhile(session, () => session.expunge(doc))).toBeUndefined()
      // Its row was inserted: the object is detached, and the session reads the row as another object.
      expect(inspect(doc).state).toBe("detached")
      const read = await session.get(Doc, doc.id)
      expect(read).not.toBe(doc)
      expect(read?.name).toBe(doc.name)
      other.add(doc)
      expect(await other.get(Doc, doc.id)).toBe(doc)
      expect(() => session.add(doc)).toThrow(/another session/)
    })

    it("refuses to delete meanwhile a new object whose INSERT is out, which it would have kept", async () => {
      await using session = new AsyncSession(engine)
      const doc = new Doc({ name: unique("deleted") })
      session.add(doc)
      let refused: unknown
      expect(
        await commitWhile(session, () => {
          try {
            session.delete(doc)
          } catch (error) {
            refused = error
          }
        }),
      ).toBeUndefined()
      expect(refused).toBeInstanceOf(InvalidRequestError)
      expect(inspect(doc).state).toBe("persistent")
      session.delete(doc)
      await session.commit()
      await using reader = new AsyncSession(engine)
      expect(await reader.get(Doc, doc.id)).toBeNull()
    })

    it("keeps one object for a new row that a query without autoflush read before the INSERT's answer", async () => {
      await using session = new AsyncSession(engine, { autoflush: false })
      const doc = new Doc({ name: unique("read-meanwhile") })
      session.add(doc)
      const held = holdNextRequest(scope, { answered: true })
      const commit = session.commit()
      await held.sent
      const read = (await session.scalars(select(Doc).where(Doc.c.name.eq(doc.name)))).one()
      held.release()
      await commit
      expect(await session.get(Doc, doc.id)).toBe(doc)
      // The other copy is let go, not left persistent beside it (its changes would be lost unseen).
      expect([inspect(doc).state, inspect(read).state]).toEqual(["persistent", "detached"])
    })

    it("keeps one object for a row whose new key a query without autoflush read before the UPDATE's answer", async () => {
      await using session = new AsyncSession(engine, { autoflush: false })
      const doc = await storedDoc(session)
      const renumbered = doc.id + 1_000_000
      doc.id = renumbered
      const held = holdNextRequest(scope, { answered: true })
      const commit = session.commit()
      await held.sent
      const read = await session.get(Doc, renumbered)
      held.release()
      await commit
      expect(read).not.toBe(doc)
      expect(await session.get(Doc, renumbered)).toBe(doc)
      expect([inspect(doc).state, inspect(read as object).state]).toEqual(["persistent", "detached"])
    })

    it("refuses to add back meanwhile an object whose DELETE is out, which it would have lost", async () => {
      await using session = new AsyncSession(engine)
      const doc = await storedDoc(session)
      session.delete(doc)
      let refused: unknown
      expect(
        await commitWhile(session, () => {
          try {
            session.add(doc)
          } catch (error) {
            refused = error
          }
        }),
      ).toBeUndefined()
      expect(refused).toBeInstanceOf(InvalidRequestError)
      expect(await session.get(Doc, doc.id)).toBeNull()
    })

    it("leaves in the other session an object expunged meanwhile and added there", async () => {
      await using session = new AsyncSession(engine)
      const doc = await storedDoc(session)
      doc.n = 2
      await using other = new AsyncSession(engine)
      expect(
        await commitWhile(session, () => {
          session.expunge(doc)
          other.add(doc)
        }),
      ).toBeUndefined()
      expect(await other.get(Doc, doc.id)).toBe(doc)
      expect(() => session.add(doc)).toThrow(/another session/)
      expect(await session.get(Doc, doc.id)).not.toBe(doc)
      expect(await storedRow(doc.id)).toMatchObject({ n: 2 })
    })
  })
}
