// keyOf(object) in a mapper listener: for a stored row its key, for a row the flush inserts an expression
// the database turns into the key. Made text (`${keyOf(post)}`, the natural way to write an audit note),
// the expression was "[object Object]", written without an error, where the same listener wrote a
// stored row's key: now refused, naming what works (the expression as a column's value).
import { describe, expect, it } from "vitest"
import { AsyncSession, InvalidRequestError, listen, select } from "../../src/index.ts"
import { eventModels, fixtures, suiteEngine, uniq } from "./models.ts"

const { registry, Author, Audit } = eventModels("keyoftext")

for (const fixture of fixtures()) {
  describe(`keyOf() as text, on ${fixture.name}`, () => {
    const { engine, requests } = suiteEngine(fixture, "keyoftext", registry)

    async function notes(action: string): Promise<(string | null)[]> {
      await using reader = new AsyncSession(engine)
      return (await reader.scalars(select(Audit.note).where(Audit.action.eq(action)))).all()
    }

    it("refuses a new row's key made text, writing nothing; a stored row's key is text as before", async () => {
      const action = uniq("text")
      const stop = listen(Author, "afterInsert", (author, { session, keyOf }) => {
        session.add(new Audit({ action, note: `author ${keyOf(author)} joined` }))
      })
      await using session = new AsyncSession(engine)
      const author = new Author({ first: uniq("ann") })
      try {
        session.add(author)
        const before = await requests()
        const refused = await session.commit().catch((error: unknown) => error)
        expect(refused).toBeInstanceOf(InvalidRequestError)
        expect((refused as Error).message).toBe(
          "keyOf() of a new Author is the key the database generates as this flush inserts it, not a value yet: store it as a column's value ({ entityId: keyOf(object) }), or write text with it from an afterCommit listener, where the object's key is set",
        )
        expect(await requests()).toBe(before)
        expect(await notes(action)).toEqual([])
      } finally {
        stop()
      }
      // The key as a column's value is written in the same request, as the database generates it.
      const stored = listen(Author, "afterInsert", (added, { session, keyOf }) => {
        session.add(new Audit({ action, note: keyOf(added) as never }))
      })
      try {
        const before = await requests()
        await session.commit()
        expect(await requests()).toBe(before + 1)
      } finally {
        stored()
      }
      expect(await notes(action)).toEqual([`${author.id}`])
      const updated = listen(Author, "afterUpdate", (changed, { session, keyOf }) => {
        session.add(new Audit({ action, note: `author ${keyOf(changed)} renamed` }))
      })
      try {
        author.first = uniq("anne")
        await session.commit()
      } finally {
        updated()
      }
      expect((await notes(action)).sort()).toEqual([`${author.id}`, `author ${author.id} renamed`].sort())
    })
  })
}
