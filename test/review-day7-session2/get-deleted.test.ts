// get() of an object marked for deletion (session.delete(obj), not yet flushed) answered null, where
// SQLAlchemy's get() returns the object from the identity map (get_from_identity does not look at the
// deletion, and get() does not autoflush when it holds the object): the DELETE is still to be sent,
// and the application may still take it back. Now ours returns it too, without a request; once the
// flush has sent the DELETE, get() answers null, as SQLAlchemy's.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, inspect } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { sessionModels } from "../review-day7-session/models.ts"

const { registry, Book } = sessionModels("r7s2_getdel")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`get() of an object marked for deletion on ${fixture.name}`, () => {
    const scope = `r7s2-getdel-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    it("returns it until the flush sends its DELETE", async () => {
      await using session = new AsyncSession(engine)
      session.add(new Book({ id: 1, title: "doomed" }))
      await session.commit()
      const book = await session.get(Book, 1)
      if (!book) throw new Error("no book")
      session.delete(book)
      expect(await session.get(Book, 1)).toBe(book)
      await session.flush()
      expect(await session.get(Book, 1)).toBeNull()
      await session.commit()
      expect(inspect(book).state).toBe("detached")
    })
  })
}
