// A bulk update() or delete() through the session keeps the objects it holds in step with the rows
// ("auto": evaluated in memory when it can be), matching them by the row each object holds. An
// expired object (a commit with expireOnCommit, a transaction that rolled back) holds a row that may
// have changed since: another program's update, or the rollback's. Evaluated against it, a bulk delete()
// whose rows no longer included the object's let the object go as deleted though its row was still
// there (the application's next change to it was not written, commit() saying done), and a bulk
// update() set on it values its row never took. SQLAlchemy's evaluation leaves expired objects alone;
// "auto" now asks the database which rows the statement took (RETURNING, in the same statement), and
// "evaluate" leaves them alone, as SQLAlchemy's: the next read reloads them.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, deleteFrom, inspect, update } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { sessionModels } from "./models.ts"

const { registry, Book } = sessionModels("r7s_exb")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a bulk statement over expired objects on ${fixture.name}`, () => {
    const scope = `r7s-exb-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const statements = async () => (await fixture.stats(scope))?.statements ?? 0

    /** A book the session holds, expired by its commit, whose title another program then changed. */
    const retitled = async (session: AsyncSession, title: string) => {
      const book = new Book({ title, note: "n" })
      session.add(book)
      await session.commit()
      await using other = new AsyncSession(engine)
      const theirs = await other.get(Book, book.id)
      if (!theirs) throw new Error("no book")
      theirs.title = `${title} (renamed)`
      await other.commit()
      return book
    }
    const rowOf = async (id: number) => {
      await using check = new AsyncSession(engine)
      return check.get(Book, id)
    }

    for (const mode of ["auto", "evaluate"] as const) {
      it(`(${mode}) a delete() whose rows no longer hold the object leaves it persistent, and its change is written`, async () => {
        await using session = new AsyncSession(engine, { expireOnCommit: true })
        const book = await retitled(session, `gone ${mode}`)
        const before = await statements()
        await session.execute(deleteFrom(Book).where(Book.title.eq(`gone ${mode}`)), {
          synchronizeSession: mode,
        })
        expect((await statements()) - before).toBe(1)
        expect(inspect(book).state).toBe("persistent")
        book.note = "kept"
        await session.commit()
        expect((await rowOf(book.id))?.note).toBe("kept")
      })

      it(`(${mode}) an update() whose rows no longer hold the object sets nothing on it`, async () => {
        await using session = new AsyncSession(engine, { expireOnCommit: true })
        const book = await retitled(session, `missed ${mode}`)
        await session.execute(
          update(Book)
            .where(Book.title.eq(`missed ${mode}`))
            .values({ note: "bulk" }),
          {
            synchronizeSession: mode,
          },
        )
        expect(book.note).toBe("n")
        expect(await session.get(Book, book.id)).toBe(book)
        expect([book.title, book.note]).toEqual([`missed ${mode} (renamed)`, "n"])
      })
    }

    it("(auto) the rows it did take are followed: a delete() lets the object go, an update() sets it", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const deleted = await retitled(session, "taken")
      const updated = await retitled(session, "set")
      await session.execute(update(Book).where(Book.title.eq("set (renamed)")).values({ note: "bulk" }))
      expect(updated.note).toBe("bulk")
      await session.execute(deleteFrom(Book).where(Book.title.eq("taken (renamed)")))
      expect(inspect(deleted).state).toBe("detached")
      expect(await rowOf(deleted.id)).toBeNull()
    })
  })
}
