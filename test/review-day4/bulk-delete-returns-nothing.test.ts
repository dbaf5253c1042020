// Deleting a parent whose delete-cascade collection is not loaded deletes its children by one bulk
// DELETE. On PostgreSQL that statement returned every column of every child it deleted, which nothing
// reads (no row check, no held objects to follow): children of a few large documents made the answer
// larger than Neon's HTTP limit (10 MiB), and the commit failed ("response is too large") where the same
// DELETE without RETURNING succeeds. 244f20e returned only keys for the statements whose rows are read;
// the others now return nothing, as on SQLite.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  insert,
  model,
  Registry,
  relationship,
  String,
  select,
  Text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Shelfmark extends model(
  "rv4_big_shelves",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    documents: relationship<Document[]>("Document", { cascade: ["save-update", "delete"] }),
  },
  { registry },
) {}
class Document extends model(
  "rv4_big_documents",
  {
    id: column(Integer, { primaryKey: true }),
    body: column(Text),
    shelfId: column(Integer, { foreignKey: "rv4_big_shelves.id" }),
  },
  { registry },
) {}
registry.registerModels(Shelfmark, Document)

const MIB = 1024 * 1024

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`deleting a parent of large unloaded children on ${fixture.name}`, () => {
    const engine = fixture.engine(`rv4-big-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("commits: the bulk DELETE of the children sends back none of their columns", async () => {
      await engine.execute(insert(Shelfmark).values([{ id: 1, name: "s" }]))
      // 12 MiB in all, one request each: more than one HTTP answer may carry on Neon.
      for (let id = 1; id <= 12; id++)
        await engine.execute(insert(Document).values([{ id, body: "d".repeat(MIB), shelfId: 1 }]))
      await using session = new AsyncSession(engine)
      const shelf = (await session.get(Shelfmark, 1)) as Shelfmark
      session.delete(shelf)
      // Was, on Neon HTTP: ProgrammingError 'response is too large (max is 10485760 bytes)'.
      await session.commit()
      expect((await engine.execute(select(Document.c.id))).rows).toEqual([])
      expect((await engine.execute(select(Shelfmark.c.id))).rows).toEqual([])
    })
  })
}
