// How listeners are registered. A misspelt event (from JavaScript, or through a cast) was kept under
// its own name and never fired, with no error; the same function registered twice (a handler that
// listens on every request) ran twice per row, where SQLAlchemy's event.listen registers it once.
import { describe, expect, it } from "vitest"
import {
  AsyncSession,
  InvalidRequestError,
  listen,
  type MapperEvent,
  type SessionEvent,
} from "../../src/index.ts"
import { eventModels, fixtures, suiteEngine, uniq } from "./models.ts"

const { registry, Author, Book } = eventModels("registration")

describe("listener registration", () => {
  it("refuses an event that does not exist, naming the ones that do", () => {
    expect(() => listen(Book, "beforeinsert" as MapperEvent, () => undefined)).toThrow(
      'No event "beforeinsert" for listen(Book, ...): the events are beforeInsert, afterInsert, beforeUpdate, afterUpdate, beforeDelete, afterDelete',
    )
    const session = new AsyncSession(fixtures()[0]!.engine("d9ev-registration-unused"))
    expect(() => session.on("afterCommitted" as SessionEvent, () => undefined)).toThrow(
      'No event "afterCommitted" for session.on(...): the events are beforeFlush, afterFlush, afterCommit, afterRollback',
    )
    // A mapper event is not a session's.
    expect(() => session.on("afterInsert" as SessionEvent, () => undefined)).toThrow(InvalidRequestError)
  })

  it("refuses a listener that is not a function", () => {
    expect(() => listen(Book, "afterInsert", undefined as never)).toThrow(
      "listen(Book, ...) takes a function to call on afterInsert, not undefined",
    )
  })
})

for (const fixture of fixtures()) {
  describe(`the same listener registered twice, on ${fixture.name}`, () => {
    const { engine } = suiteEngine(fixture, "registration", registry)

    it("runs once per row, and once removed it runs no more", async () => {
      const seen: string[] = []
      const audit = (book: InstanceType<typeof Book>) => {
        seen.push(book.title)
      }
      const stopFirst = listen(Book, "beforeInsert", audit)
      const stopSecond = listen(Book, "beforeInsert", audit)
      let flushes = 0
      await using session = new AsyncSession(engine)
      const count = () => {
        flushes++
      }
      session.on("beforeFlush", count)
      session.on("beforeFlush", count)
      try {
        const title = uniq("once")
        session.add(new Author({ first: uniq("ann"), books: [new Book({ title })] }))
        await session.commit()
        expect(seen).toEqual([title])
        expect(flushes).toBe(1)
        stopFirst()
        session.add(new Book({ title: uniq("none") }))
        await session.commit()
        expect(seen).toEqual([title])
      } finally {
        stopFirst()
        stopSecond()
      }
    })
  })
}
