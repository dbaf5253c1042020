// Deleting a parent whose loaded collection (no delete cascade) holds an object outside the session
// (expunged) unlinks the parent's rows with one bulk UPDATE (f976055). That UPDATE also reaches rows of
// objects the session holds that the loaded collection does not list (another writer linked them
// since it loaded): their objects were left naming the deleted parent, and the session, which keeps
// its objects after commit, went on handing them out so. They are unlinked with their rows now.
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
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Shelf extends model(
  "rv3_shelves",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    volumes: relationship<Volume[]>("Volume", { backPopulates: "shelf" }),
  },
  { registry },
) {}
class Volume extends model(
  "rv3_volumes",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    shelfId: column(Integer, { nullable: true, foreignKey: "rv3_shelves.id" }),
    shelf: relationship<Shelf | null>("Shelf", { backPopulates: "volumes" }),
  },
  { registry },
) {}
registry.registerModels(Shelf, Volume)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a deleted parent's bulk unlink on ${fixture.name}`, () => {
    const engine = fixture.engine(`rv3-unlink-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("unlinks the objects the session holds for the rows it unlinks, listed by the loaded collection or not", async () => {
      await using session = new AsyncSession(engine)
      const shelf = new Shelf({ name: "s" })
      const first = new Volume({ title: "a", shelf } as never)
      session.addAll([shelf, first])
      await session.commit()
      await session.refresh(shelf, ["volumes"])
      expect(shelf.volumes).toEqual([first])
      // Another writer adds a volume to the shelf; this session reads it.
      const added = await engine.execute(
        insert(Volume).values({ title: "b", shelfId: shelf.id }).returning(Volume.c.id),
      )
      const id = added.rows[0]?.[0] as number
      const second = (await session.get(Volume, id)) as Volume
      expect(second.shelfId).toBe(shelf.id)
      // A member of the loaded collection outside the session: the flush unlinks the shelf's rows in bulk.
      session.expunge(first)
      session.delete(shelf)
      await session.commit()
      const rows = await engine.execute(select(Volume.c.shelfId).where(Volume.c.id.eq(id)))
      expect(rows.rows).toEqual([[null]])
      // Was: still the deleted shelf's id (the session keeps its objects after commit), though the row
      // was unlinked by the bulk UPDATE the expunged member of the loaded collection called for.
      expect(second.shelfId).toBe(null)
    })
  })
}
