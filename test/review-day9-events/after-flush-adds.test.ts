// An afterFlush listener that adds an object (an audit row) while commit() runs: the commit writes it,
// as SQLAlchemy's commit flushes until the session is clean. It was left pending: commit() said done,
// the row was not written, and the session's end lost it.
import { describe, expect, it } from "vitest"
import { AsyncSession, IntegrityError, inspect, select } from "../../src/index.ts"
import { eventModels, fixtures, suiteEngine, uniq } from "./models.ts"

const { registry, Author, Audit } = eventModels("afterflush")

for (const fixture of fixtures()) {
  describe(`afterFlush listeners that add objects, on ${fixture.name}`, () => {
    const { engine, requests } = suiteEngine(fixture, "afterflush", registry)

    async function auditsOf(action: string): Promise<number> {
      await using reader = new AsyncSession(engine)
      return (await reader.scalars(select(Audit.id).where(Audit.action.eq(action)))).all().length
    }

    it("a one-shot commit writes the audit its afterFlush listener added, in one more request", async () => {
      await using session = new AsyncSession(engine)
      const action = uniq("oneshot")
      let audits = 0
      session.on("afterFlush", (s) => {
        // Once per commit: the audit's own flush adds none.
        if (audits++ === 0) s.add(new Audit({ action }))
      })
      const author = new Author({ first: uniq("ann") })
      session.add(author)
      const before = await requests()
      await session.commit()
      expect(await requests()).toBe(before + 2)
      expect(audits).toBe(2)
      expect(inspect(author).state).toBe("persistent")
      expect(await auditsOf(action)).toBe(1)
    })

    it("inside begin(), the audit is flushed before COMMIT", async () => {
      await using session = new AsyncSession(engine)
      const action = uniq("begun")
      const added: InstanceType<typeof Audit>[] = []
      session.on("afterFlush", (s) => {
        if (added.length > 0) return
        const audit = new Audit({ action })
        added.push(audit)
        s.add(audit)
      })
      await session.begin()
      session.add(new Author({ first: uniq("bob") }))
      await session.commit()
      expect(inspect(added[0] as object).state).toBe("persistent")
      expect(await auditsOf(action)).toBe(1)
    })

    it("a one-shot commit whose audit then fails: the author is stored and its afterCommit runs, the audit stays pending", async () => {
      await using session = new AsyncSession(engine)
      const action = uniq("refused")
      const taken = new Audit({ action, id: 900_000 + Math.floor(Math.random() * 99_999) })
      session.add(taken)
      await session.commit()
      const duplicate = new Audit({ action, id: taken.id })
      let added = false
      session.on("afterFlush", (s) => {
        if (added) return
        added = true
        s.add(duplicate)
      })
      let commits = 0
      session.on("afterCommit", () => {
        commits++
      })
      const author = new Author({ first: uniq("dee") })
      session.add(author)
      await expect(session.commit()).rejects.toThrow(IntegrityError)
      // The first request committed the author: the session and its afterCommit listeners say so.
      expect(commits).toBe(1)
      expect(inspect(author).state).toBe("persistent")
      expect(inspect(duplicate).state).toBe("pending")
      await using reader = new AsyncSession(engine)
      expect(await reader.scalar(select(Author.first).where(Author.id.eq(author.id)))).toBe(author.first)
      expect(await auditsOf(action)).toBe(1)
    })

    it("a listener that adds an object on every flush is stopped with an error, not looped forever", async () => {
      await using session = new AsyncSession(engine)
      const action = uniq("loop")
      session.on("afterFlush", (s) => s.add(new Audit({ action })))
      await session.begin()
      session.add(new Author({ first: uniq("cy") }))
      await expect(session.commit()).rejects.toThrow(
        "commit() stopped after 10 flushes, each of whose afterFlush listeners changed the session again",
      )
      await session.rollback()
      expect(await auditsOf(action)).toBe(0)
    })
  })
}
