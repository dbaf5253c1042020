// validates() with a name the model does not have refused it only after registering the validator on the
// names before it: validates(Author, ["email", "emial"], f) threw, yet f ran on every e-mail set from
// then on, with nothing to remove it. Every name is now checked before any is registered.
import { describe, expect, it } from "vitest"
import { AsyncSession, validates } from "../../src/index.ts"
import { eventModels, fixtures, suiteEngine, uniq } from "../review-day9-events/models.ts"

const { registry, Author } = eventModels("valnames")

for (const fixture of fixtures()) {
  describe(`a refused validates() call, on ${fixture.name}`, () => {
    const { engine } = suiteEngine(fixture, "valnames", registry)

    it("registers nothing: the names before the misspelt one are not validated", async () => {
      const calls: unknown[] = []
      expect(() =>
        validates(Author, ["email", "emial" as never], (_key, email) => {
          calls.push(email)
          return typeof email === "string" ? email.toUpperCase() : email
        }),
      ).toThrow(`${Author.name} has no attribute "emial" to validate`)
      await using session = new AsyncSession(engine)
      const author = new Author({ first: uniq("ann"), email: "ann@example.com" })
      session.add(author)
      await session.commit()
      expect(calls).toEqual([])
      await using reader = new AsyncSession(engine)
      expect((await reader.get(Author, author.id))?.email).toBe("ann@example.com")
    })
  })
}
