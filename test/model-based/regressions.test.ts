// Minimal cases the model-based session test (./session-model.test.ts) found, each on its own.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, inspect, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { Author, Book, registry } from "./models.ts"

const neonHttp = neonFixture("http", ws)
const libsqlHttp = libsqlHttpFixture()

for (const fixture of [neonHttp, libsqlHttp]) {
  describe(`model-based regressions on ${fixture.name}`, () => {
    const engine = fixture.engine(`mbr-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let n = 0
    const label = (what: string) => `reg${fixture.name[0]}${++n}${what}`

    it("a pending book taken out of its author's collection is not inserted (delete-orphan expunges a pending orphan)", async () => {
      await using session = new AsyncSession(engine)
      const author = new Author({ label: label("a"), name: "ann" })
      session.add(author)
      await session.commit()
      await session.refresh(author, ["books"])
      const book = new Book({ label: label("b"), title: "t", author } as never)
      session.add(book)
      author.books.splice(author.books.indexOf(book), 1)
      expect(inspect(book).state).toBe("transient")
      await session.commit()
      const titles = await session.scalars(select(Book).where(Book.authorId.eq(author.id)))
      expect(titles.all()).toEqual([])
    })
  })
}
