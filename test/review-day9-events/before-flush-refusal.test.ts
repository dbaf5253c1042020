// A beforeFlush listener that refuses (throws) before its flush has begun. The flush of a query's
// autoflush, or a flush() inside begin(), then ended the transaction: the session refused every later
// call, reads included, with a PendingRollbackError until rollback(), which dropped the pending work
// (and a transaction's earlier flushes). SQLAlchemy's before_flush raises before its flush begins, and
// the session goes on; so does this one now, the objects back as they were before the listener ran.
import { describe, expect, it } from "vitest"
import { AsyncSession, inspect, select } from "../../src/index.ts"
import { eventModels, fixtures, suiteEngine, uniq } from "./models.ts"

const { registry, Author } = eventModels("beforeflush")

/** A beforeFlush listener of the app's that refuses while `refusing` (a check of its own). */
function refusingListener(session: AsyncSession): { refusing: boolean; readonly error: Error } {
  const listener = { refusing: false, error: new Error("authors need a name") }
  session.on("beforeFlush", () => {
    if (listener.refusing) throw listener.error
  })
  return listener
}

for (const fixture of fixtures()) {
  describe(`a beforeFlush listener that refuses, on ${fixture.name}`, () => {
    const { engine } = suiteEngine(fixture, "beforeflush", registry)

    async function firstNames(prefix: string): Promise<string[]> {
      await using reader = new AsyncSession(engine)
      return (await reader.scalars(select(Author.first).where(Author.first.like(`${prefix}%`)))).all().sort()
    }

    it("a query whose autoflush it refused fails with its error; the session reads and writes on", async () => {
      await using session = new AsyncSession(engine)
      const check = refusingListener(session)
      const prefix = uniq("auto")
      const author = new Author({ first: `${prefix}-ann` })
      session.add(author)
      check.refusing = true
      const error = await session.scalars(select(Author.id)).catch((caught: unknown) => caught)
      expect(error).toBe(check.error)
      expect(inspect(author).state).toBe("pending")
      check.refusing = false
      // The next query autoflushes the author and finds it.
      const found = await session.scalars(select(Author.first).where(Author.first.like(`${prefix}%`)))
      expect(found.all()).toEqual([`${prefix}-ann`])
      await session.commit()
      expect(await firstNames(prefix)).toEqual([`${prefix}-ann`])
    })

    it("inside begin(), a refused flush() leaves the transaction's earlier flushes to commit", async () => {
      await using session = new AsyncSession(engine)
      const check = refusingListener(session)
      const prefix = uniq("begun")
      await session.begin()
      session.add(new Author({ first: `${prefix}-first` }))
      await session.flush()
      const second = new Author({ first: `${prefix}-second` })
      session.add(second)
      check.refusing = true
      await expect(session.flush()).rejects.toBe(check.error)
      check.refusing = false
      expect(inspect(second).state).toBe("pending")
      await session.commit()
      expect(await firstNames(prefix)).toEqual([`${prefix}-first`, `${prefix}-second`])
    })
  })
}
