// The README's ORM Worker (examples/src/worker.ts) calls createAll(metadata, engine) on every request.
// Given an engine, createAll ran each CREATE TABLE and CREATE INDEX on a connection of its own: the
// README's five tables were five HTTP requests on every request (a round trip to Turso or Neon each),
// each committed alone, where createAll(metadata, connection) is one atomic request. Given an engine
// it now opens one connection and batches, as SQLAlchemy's create_all(engine) runs in one transaction;
// dropAll too.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { column, createAll, dropAll, Integer, MetaData, String, table, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

// The README's shape (users, posts, tags and their links), under names of this test's own.
const metadata = new MetaData()
table(
  "r8nc_ddl_users",
  { id: column(Integer, { primaryKey: true }), name: column(String(50), { unique: true }) },
  { metadata },
)
table(
  "r8nc_ddl_posts",
  {
    id: column(Integer, { primaryKey: true }),
    userId: column(Integer, { foreignKey: "r8nc_ddl_users.id", index: true }),
  },
  { metadata },
)
table("r8nc_ddl_tags", { id: column(Integer, { primaryKey: true }) }, { metadata })
table(
  "r8nc_ddl_post_tags",
  {
    postId: column(Integer, { primaryKey: true, foreignKey: "r8nc_ddl_posts.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "r8nc_ddl_tags.id" }),
  },
  { metadata },
)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`createAll and dropAll given an engine, on ${fixture.name}`, () => {
    it("send one request each, as on a connection", async () => {
      const scope = `r8nc-ddl-${fixture.name}-${Date.now().toString(36)}`
      const engine = fixture.engine(scope)
      const requests = async () => (await fixture.stats(scope))?.httpRequests ?? 0
      try {
        await dropAll(metadata, engine)
        const before = await requests()
        await createAll(metadata, engine)
        expect(await requests()).toBe(before + 1)
        // Again, as the README's Worker does on each request: IF NOT EXISTS, nothing changes.
        await createAll(metadata, engine)
        expect(await requests()).toBe(before + 2)
        const [count] = (
          await engine.execute(
            fixture.dialect === "sqlite"
              ? text(
                  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'r8nc_ddl_%'",
                ).columns(Integer)
              : text("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'r8nc_ddl_%'").columns(Integer),
          )
        ).one()
        expect(count).toBe(4)
      } finally {
        const before = await requests()
        await dropAll(metadata, engine)
        expect(await requests()).toBe(before + 1)
      }
    })
  })
}
