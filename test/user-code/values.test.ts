// Values whose own code fails inside the ORM: a JSON document holding an object whose toJSON throws (or
// a bigint, which JSON cannot hold). The session compares such values to find changes; the failure is
// the app's own error where the value is written, and dropping the change (rollback, refresh) works.
import { describe, expect, it } from "vitest"
import { AsyncSession, inspect } from "../../src/index.ts"
import { fixtures, userCodeModels } from "./models.ts"

const { storedAuthor, suiteEngine, UcAuthor } = userCodeModels("values")
type UcAuthor = InstanceType<typeof UcAuthor>

/** An application's value class that refuses to be written as JSON. */
class Money {
  constructor(readonly cents: number) {}
  toJSON(): never {
    throw new Error("Money has no JSON form: store its cents")
  }
}

for (const fixture of fixtures) {
  describe(`values whose toJSON throws, on ${fixture.name}`, () => {
    const engine = suiteEngine(fixture)

    // rollback() compared the value with the database's to find what to drop, and the comparison
    // (JSON.stringify) threw: the rollback failed half done, and so did every one after it and every
    // refresh() of the object, so the session could not let go of the value.
    it("rollback() and refresh() drop a JSON value whose toJSON throws; the commit before them fails with the app's error, writing nothing", async () => {
      const id = await storedAuthor(engine)
      await using session = new AsyncSession(engine)
      const author = (await session.get(UcAuthor, id)) as UcAuthor
      author.meta = { price: 500 }
      await session.commit()
      author.meta = { price: new Money(500) }
      author.note = "changed beside it"
      await expect(session.commit()).rejects.toThrow("Money has no JSON form")
      await session.rollback()
      expect([author.meta, author.note, inspect(author).modified]).toEqual([{ price: 500 }, null, []])
      author.meta = { big: 10n }
      await session.refresh(author)
      expect([author.meta, inspect(author).modified]).toEqual([{ price: 500 }, []])
      author.note = "written"
      await session.commit()
      await using reader = new AsyncSession(engine)
      const row = (await reader.get(UcAuthor, id)) as UcAuthor
      expect([row.meta, row.note]).toEqual([{ price: 500 }, "written"])
    })
  })
}
