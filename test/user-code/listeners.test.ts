// Event listeners that throw, reject or misbehave inside a flush or commit, on both databases: after the
// failure the database holds nothing of it, the objects are as before it, a retry writes once, and the
// error the application sees is its own (or names what it did wrong).
import { describe, expect, it, vi } from "vitest"
import {
  AsyncSession,
  InvalidRequestError,
  inspect,
  listen,
  PendingRollbackError,
  text,
} from "../../src/index.ts"
import { fixtures, uniq, userCodeModels } from "./models.ts"

const { suiteEngine, titlesLike, UcBook } = userCodeModels("listeners")

for (const fixture of fixtures) {
  describe(`listeners that fail, on ${fixture.name}`, () => {
    const engine = suiteEngine(fixture)

    // An async listener's promise was dropped: its rejection was unhandled, and the commit it should have
    // failed was made durable; work after its first await landed after the flush had gone out.
    it("refuses an async mapper listener: the commit fails with nothing written, its rejection as the cause, and the retry writes once", async () => {
      const title = uniq("async")
      const stop = listen(UcBook, "beforeInsert", async () => {
        throw new Error("slug service down")
      })
      await using session = new AsyncSession(engine)
      const book = new UcBook({ title })
      session.add(book)
      try {
        const failure = await session.commit().then(
          () => undefined,
          (error: unknown) => error,
        )
        expect(failure).toBeInstanceOf(InvalidRequestError)
        expect(String(failure)).toContain("UcBook beforeInsert listener returned a Promise")
        expect((failure as Error).cause).toEqual(new Error("slug service down"))
        expect([inspect(book).state, book.id, await titlesLike(engine, title)]).toEqual([
          "pending",
          undefined,
          [],
        ])
      } finally {
        stop()
      }
      await session.commit()
      expect([inspect(book).state, await titlesLike(engine, title)]).toEqual(["persistent", [title]])
    })

    // An async afterCommit listener (an e-mail, which the README puts there) failed the commit after the
    // row was stored: the app was told its write failed, and the Hono middleware's 500 made clients store
    // it twice. The transaction is over there: its promise runs on, and a rejection is reported.
    it("lets an async afterCommit or afterRollback listener run on: the commit stands, a rejection is reported", async () => {
      const title = uniq("after")
      const reported = vi.spyOn(console, "error").mockImplementation(() => undefined)
      const sent: string[] = []
      await using session = new AsyncSession(engine)
      session.on("afterCommit", async () => {
        await Promise.resolve()
        sent.push("mail")
      })
      session.on("afterCommit", async () => {
        throw new Error("mail server down")
      })
      session.on("afterRollback", async () => {
        throw new Error("alert service down")
      })
      try {
        session.add(new UcBook({ title }))
        await session.commit()
        await session.rollback()
        await vi.waitFor(() => expect(reported).toHaveBeenCalledTimes(2))
        expect(sent).toEqual(["mail"])
        expect(reported.mock.calls.map(([message, reason]) => [message, String(reason)])).toEqual([
          [
            "[edgealchemy] the promise of an afterCommit listener rejected; the transaction's end stands:",
            "Error: mail server down",
          ],
          [
            "[edgealchemy] the promise of an afterRollback listener rejected; the transaction's end stands:",
            "Error: alert service down",
          ],
        ])
      } finally {
        reported.mockRestore()
      }
      expect(await titlesLike(engine, title)).toEqual([title])
    })

    // The PendingRollbackError that refuses the work after a failure had no cause: the app's own error
    // (a listener's, the database's) was out of reach of the code that met the refusal (the commit of
    // dbSession's middleware, an error handler). SQLAlchemy's names it ("Original exception was: ...").
    it("the PendingRollbackError after a failed flush or statement inside begin() has the failure as its cause", async () => {
      const title = uniq("cause")
      await using session = new AsyncSession(engine)
      let fail = true
      const stop = listen(UcBook, "beforeInsert", () => {
        if (fail) throw new Error("listener failed")
      })
      try {
        await session.begin()
        session.add(new UcBook({ title }))
        await expect(session.flush()).rejects.toThrow("listener failed")
        const refused = await session.commit().catch((error: unknown) => error)
        expect([refused instanceof PendingRollbackError, String((refused as Error).cause)]).toEqual([
          true,
          "Error: listener failed",
        ])
      } finally {
        fail = false
        stop()
      }
      await session.rollback()
      await session.begin()
      const failed = await session
        .execute(text("SELECT * FROM uc_no_such_table"))
        .catch((error: unknown) => error)
      const refused = await session.commit().catch((error: unknown) => error)
      expect([refused instanceof PendingRollbackError, (refused as Error).cause]).toEqual([true, failed])
      await session.rollback()
      expect(await titlesLike(engine, title)).toEqual([])
    })

    // Each rollback() fired afterRollback, whose rollback() was queued behind it and fired it again: an
    // endless chain of promises with no I/O, which starved the event loop (no timer, no request, no
    // test timeout ran again). commit() from afterCommit did the same. The cap of 100 ends it for the test.
    it("refuses commit() and rollback() called from afterCommit and afterRollback listeners: the transaction is over, and the call would fire its event again, endlessly", async () => {
      const title = uniq("re-entrant")
      await using session = new AsyncSession(engine)
      const calls = { afterCommit: 0, afterRollback: 0 }
      const refused: unknown[] = []
      session.on("afterCommit", () => {
        if (++calls.afterCommit < 100) session.commit().catch((error: unknown) => refused.push(error))
      })
      session.on("afterRollback", () => {
        if (++calls.afterRollback < 100) session.rollback().catch((error: unknown) => refused.push(error))
      })
      session.add(new UcBook({ title }))
      await session.commit()
      await session.rollback()
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(calls).toEqual({ afterCommit: 1, afterRollback: 1 })
      expect(refused.map(String)).toEqual([
        "InvalidRequestError: commit() was called from an afterCommit listener, which runs as the transaction ends (a commit or rollback there fires it again, endlessly): call it once the call that fired the listener has returned",
        "InvalidRequestError: rollback() was called from an afterRollback listener, which runs as the transaction ends (a commit or rollback there fires it again, endlessly): call it once the call that fired the listener has returned",
      ])
      expect(await titlesLike(engine, title)).toEqual([title])
    })

    // The flush's answer had been applied when the listener threw: restoring the objects to before it
    // took the inserted book's key away while the identity map still held it there, so the failure's
    // undo could not take it out; rollback() then dropped the values of this 'persistent' transient
    // book (its title among them) and the retry inserted NULL: IntegrityError.
    it("an afterFlush listener that throws inside begin(): its error, nothing written, and after rollback the retry writes the book once", async () => {
      const title = uniq("after-flush")
      await using session = new AsyncSession(engine)
      let fail = true
      session.on("afterFlush", () => {
        if (fail) throw new Error("audit sink down")
      })
      await session.begin()
      const book = new UcBook({ title })
      session.add(book)
      await expect(session.flush()).rejects.toThrow("audit sink down")
      await expect(session.commit()).rejects.toBeInstanceOf(PendingRollbackError)
      expect(await titlesLike(engine, title)).toEqual([])
      await session.rollback()
      expect([inspect(book).state, book.id, book.title]).toEqual(["transient", undefined, title])
      fail = false
      session.add(book)
      await session.commit()
      expect([inspect(book).state, await titlesLike(engine, title)]).toEqual(["persistent", [title]])
    })

    it("an afterFlush listener that throws at a savepoint's commit: the savepoint is undone, its rollback() puts the book back, the enclosing work commits", async () => {
      const title = uniq("savepoint")
      await using session = new AsyncSession(engine)
      const outer = new UcBook({ title: `${title}-outer` })
      session.add(outer)
      const nested = await session.beginNested()
      let fail = true
      session.on("afterFlush", () => {
        if (fail) throw new Error("audit sink down")
      })
      const inner = new UcBook({ title: `${title}-inner` })
      session.add(inner)
      await expect(nested.commit()).rejects.toThrow("audit sink down")
      await nested.rollback()
      expect([inspect(outer).state, inspect(inner).state, inner.id]).toEqual([
        "persistent",
        "transient",
        undefined,
      ])
      fail = false
      await session.commit()
      expect(await titlesLike(engine, title)).toEqual([`${title}-outer`])
      session.add(inner)
      await session.commit()
      expect(await titlesLike(engine, title)).toEqual([`${title}-inner`, `${title}-outer`])
    })

    it("refuses an async session listener (afterFlush of a begin() transaction): rollback, then the retry writes once", async () => {
      const title = uniq("async-session")
      await using session = new AsyncSession(engine)
      const stop = session.on("afterFlush", async () => undefined)
      const book = new UcBook({ title })
      session.add(book)
      await expect(session.flush()).rejects.toThrow("afterFlush listener returned a Promise")
      expect(await titlesLike(engine, title)).toEqual([])
      await session.rollback()
      stop()
      session.add(book)
      await session.commit()
      expect(await titlesLike(engine, title)).toEqual([title])
    })
  })
}
