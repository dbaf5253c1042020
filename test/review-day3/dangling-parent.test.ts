// A book whose author's row is missing (a database mapped as found, whose foreign key the database does
// not enforce, and whose author row another program deleted) loads `book.author` as null. The flush took
// that for a book taken out of its author's delete-orphan collection (f976055: a many-to-one cleared
// while the key still names the parent) and deleted the book's row, which nobody asked for.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
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
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

const registry = new Registry()
class Writer extends model(
  "rv3_writers",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    works: relationship<Work[]>("Work", {
      backPopulates: "writer",
      cascade: ["save-update", "delete", "delete-orphan"],
    }),
  },
  { registry },
) {}
class Work extends model(
  "rv3_works",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    writerId: column(Integer, { foreignKey: "rv3_writers.id" }),
    writer: relationship<Writer>("Writer", { backPopulates: "works" }),
  },
  { registry },
) {}
registry.registerModels(Writer, Work)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a book whose author row is missing on ${fixture.name}`, () => {
    const engine = fixture.engine(`rv3-dangling-${fixture.name}-${Date.now().toString(36)}`)
    // Tables as another tool made them: the foreign key is the model's only.
    beforeAll(async () => {
      await engine.execute(text("DROP TABLE IF EXISTS rv3_works"))
      await engine.execute(text("DROP TABLE IF EXISTS rv3_writers"))
      await engine.execute(
        text("CREATE TABLE rv3_writers (id integer PRIMARY KEY, name varchar(40) NOT NULL)"),
      )
      await engine.execute(
        text(
          'CREATE TABLE rv3_works (id integer PRIMARY KEY, title varchar(40) NOT NULL, "writerId" integer NOT NULL)',
        ),
      )
      await engine.execute(text("INSERT INTO rv3_works (id, title, \"writerId\") VALUES (1, 'kept', 99)"))
    })
    afterAll(async () => {
      await engine.execute(text("DROP TABLE IF EXISTS rv3_works"))
      await engine.execute(text("DROP TABLE IF EXISTS rv3_writers"))
    })

    it("keeps its row when the flush writes something else of it", async () => {
      await using session = new AsyncSession(engine)
      const work = (await session.scalars(select(Work).options(selectinload(Work.writer)))).one()
      expect(work.writer).toBe(null)
      work.title = "changed"
      await session.commit()
      const rows = await engine.execute(text("SELECT title FROM rv3_works WHERE id = 1"))
      expect(rows.rows).toEqual([["changed"]])
    })
  })
}
