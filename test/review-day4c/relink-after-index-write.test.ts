// 86b9b6b: assigning a many-to-one the object it already holds does not put the owner back into the
// other side's collection. A collection emptied or changed where its list cannot see it (`length = 0`,
// an index write) is caught up before the flush as if splice had run at once (linkIndexWrites): the
// members it lost are unlinked then. `writer.books.length = 0; book.writer = writer` is, as with
// splice, "take them all out, then give this one its writer again": the book must keep its writer.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Writer extends model(
  "rc4_re_writers",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    books: relationship<Book[]>("Book", { backPopulates: "writer" }),
  },
  { registry },
) {}
class Book extends model(
  "rc4_re_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    writerId: column(Integer, { nullable: true, foreignKey: "rc4_re_writers.id" }),
    writer: relationship<Writer | null>("Writer", { backPopulates: "books" }),
  },
  { registry },
) {}
registry.registerModels(Writer, Book)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a many-to-one given again after its collection was emptied by length = 0 on ${fixture.name}`, () => {
    const engine = fixture.engine(`rc4-re-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("keeps the book given its writer again; the other is unlinked", async () => {
      let writerId: number
      {
        await using session = new AsyncSession(engine)
        const writer = new Writer({ name: "w" })
        session.add(new Book({ title: "kept", writer } as never))
        session.add(new Book({ title: "dropped", writer } as never))
        await session.commit()
        writerId = writer.id
      }
      await using session = new AsyncSession(engine)
      const writer = (
        await session.scalars(
          select(Writer).where(Writer.id.eq(writerId)).options(selectinload(Writer.books)),
        )
      ).one()
      const kept = writer.books.find((book) => book.title === "kept") as Book
      writer.books.length = 0
      kept.writer = writer
      await session.commit()
      await using reading = new AsyncSession(engine)
      const rows = await reading.scalars(select(Book).where(Book.writerId.eq(writerId)))
      expect(rows.all().map((book) => book.title)).toEqual(["kept"])
    })
  })
}
