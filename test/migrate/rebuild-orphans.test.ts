// A SQLite table holding rows that break a foreign key (written while foreign keys were off, as
// SQLite allows per connection) cannot be rebuilt: the rows come back as they were, and the deferred
// check fails the COMMIT. That failure named nothing useful ("FOREIGN KEY constraint failed" in some
// other statement), and on an embedded database a COMMIT failing so left the file locked for the rest
// of the process (every later command: database is locked). A rebuild now checks its tables' foreign
// keys before COMMIT, failing in a statement of its own with an error that says what to do, and then
// checks foreign keys at once again: a later statement of the revision writing an orphan row failed
// the COMMIT the same way, and now fails itself.
import { createClient } from "@libsql/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, RevisionFailedError, String } from "../../src/migrate.ts"
import { libsqlToken, type MigrationDatabases, migrationDatabases, type TargetName } from "./databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(() => databases.stop())

const revisions = [
  defineRevision({
    id: "0e0a00000001",
    parent: null,
    message: "shops and their orders",
    upgrade(op) {
      op.createTable("mg2_shops", [
        { name: "id", type: Integer, primaryKey: true },
        { name: "name", type: String(10) },
      ])
      op.createTable(
        "mg2_orders",
        [
          { name: "id", type: Integer, primaryKey: true },
          { name: "shop_id", type: Integer },
        ],
        { foreignKeys: [{ columns: ["shop_id"], referencedTable: "mg2_shops", referencedColumns: ["id"] }] },
      )
    },
    downgrade(op) {
      op.dropTable("mg2_orders")
      op.dropTable("mg2_shops")
    },
  }),
  defineRevision({
    id: "0e0a00000002",
    parent: "0e0a00000001",
    message: "longer shop names (a rebuild of shops and orders)",
    upgrade: (op) => op.alterColumn("mg2_shops", "name", { type: String(50) }),
    downgrade: (op) => op.alterColumn("mg2_shops", "name", { type: String(10) }),
  }),
]

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("refuses a rebuild over rows that break a foreign key, naming the fix, and leaves the database usable", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`orphans-${name}`)
    const migrator = new Migrator(engine, { revisions })
    await migrator.upgrade("+1")
    // An order of a shop that does not exist, written with foreign keys off on the writer's connection.
    const writer = createClient({ url: target.url, authToken: libsqlToken })
    await writer.executeMultiple(
      "PRAGMA foreign_keys = OFF; INSERT INTO mg2_shops VALUES (1, 'corner'); INSERT INTO mg2_orders VALUES (1, 1), (2, 99);",
    )
    writer.close()

    const error = await migrator.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    expect((error as Error).message).toContain("rows of a table SQLite rebuilds break its foreign keys")
    expect((error as RevisionFailedError).statement).toContain("pragma_foreign_key_check('mg2_orders')")
    // Usable at once: a new runner reads and writes the version table.
    const next = new Migrator(target.engine(`orphans-next-${name}`), { revisions })
    expect(await next.current()).toEqual(["0e0a00000001"])

    await engine.execute(text("DELETE FROM mg2_orders WHERE shop_id = 99"))
    await next.upgrade()
    expect((await engine.execute(text("SELECT id, shop_id FROM mg2_orders"))).all()).toEqual([[1n, 1n]])
    await next.downgrade("base")
  })

  it("fails a later orphan write of the revision at its own statement, leaving the database usable", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const orphanAfterRebuild = defineRevision({
      id: "0e0a00000003",
      parent: "0e0a00000001",
      message: "a rebuild, then an order of no shop",
      upgrade(op) {
        op.alterColumn("mg2_shops", "name", { type: String(50) })
        op.bulkInsert("mg2_orders", [{ id: 7, shop_id: 42 }])
      },
      downgrade: () => {},
    })
    const migrator = new Migrator(target.engine(`orphan-write-${name}`), {
      revisions: [revisions[0] as (typeof revisions)[0], orphanAfterRebuild],
    })
    await migrator.upgrade("+1")
    const error = await migrator.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    expect((error as RevisionFailedError).statement).toBe(
      "INSERT INTO mg2_orders (id, shop_id) VALUES (7, 42)",
    )
    const next = new Migrator(target.engine(`orphan-write-next-${name}`), { revisions })
    expect(await next.current()).toEqual(["0e0a00000001"])
    await next.downgrade("base")
  })
})
