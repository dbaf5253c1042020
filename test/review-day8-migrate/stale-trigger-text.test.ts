// SQLite's RENAME (of a table, or of a column) rewrites the new name into every trigger of the database,
// those on other tables too. A revision renaming the table a trigger writes to (or a column of it) in
// place, then changing the trigger's own table (a rebuild), wrote that trigger again from the text read
// before the rename, naming what was no longer there: the revision failed at the rebuild's trigger
// check, rolled back, with advice that blamed the rename ("it uses a table or column the revision drops
// or renames ... drop the trigger ... create it again"). The rename marks such tables as it marks its own
// (simulate.ts), and the rebuild is refused before anything is sent, saying to put it in a revision of
// its own, which then applies: the runner reads the schema again after a revision that renames.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, type Operations, String } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "../migrate/databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const first = defineRevision({
  id: "d8s000000001",
  parent: null,
  message: "items, a log, a trigger on items writing the log",
  upgrade(op) {
    op.createTable("d8s_items", [
      { name: "id", type: Integer, primaryKey: true },
      { name: "name", type: String(10), nullable: true },
    ])
    op.createTable("d8s_log", [
      { name: "id", type: Integer, primaryKey: true },
      { name: "what", type: String(50), nullable: true },
    ])
    op.execute(
      "CREATE TRIGGER d8s_items_logged AFTER INSERT ON d8s_items BEGIN INSERT INTO d8s_log (what) VALUES (NEW.name); END",
    )
  },
  downgrade(op) {
    op.dropTable("d8s_log")
    op.dropTable("d8s_items")
  },
})

const renames: Record<string, { rename(op: Operations): void; log: string }> = {
  "a column of the table the trigger writes": {
    rename: (op) => op.alterColumn("d8s_log", "what", { newName: "note" }),
    log: "SELECT note FROM d8s_log",
  },
  "the table the trigger writes": {
    rename: (op) => op.renameTable("d8s_log", "d8s_journal"),
    log: "SELECT what FROM d8s_journal",
  },
}

const rebuild = (op: Operations) => op.alterColumn("d8s_items", "name", { type: String(50) })

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it.each(Object.keys(renames))("renaming %s, then a rebuild of the trigger's table", async (which) => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`stale-${name}`)
    const { rename, log } = renames[which] as (typeof renames)[string]
    const both = defineRevision({
      id: "d8s000000002",
      parent: "d8s000000001",
      message: "rename, then a rebuild",
      upgrade(op) {
        rename(op)
        rebuild(op)
      },
      downgrade() {},
    })
    await new Migrator(engine, { revisions: [first] }).upgrade()
    const triggerBefore = (
      await engine.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger'"))
    ).all()
    const refused = await new Migrator(engine, { revisions: [first, both] }).upgrade().catch((e: Error) => e)
    expect((refused as Error).message).toMatch(
      /cannot upgrade, nothing was sent: Changing d8s_items rebuilds table d8s_items, .* or whose triggers use a table or column renamed there: .* put the rebuild in a revision of its own/,
    )
    // Nothing was sent: the rename did not happen either.
    expect(await new Migrator(engine, { revisions: [first, both] }).current()).toEqual(["d8s000000001"])
    expect(
      (await engine.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger'"))).all(),
    ).toEqual(triggerBefore)

    // Split as the error says, both revisions in one command: the trigger writes the renamed log.
    const renamed = defineRevision({
      id: "d8s000000003",
      parent: "d8s000000001",
      message: "rename",
      upgrade: rename,
      downgrade() {},
    })
    const rebuilt = defineRevision({
      id: "d8s000000004",
      parent: "d8s000000003",
      message: "a rebuild",
      upgrade: rebuild,
      downgrade() {},
    })
    await new Migrator(engine, { revisions: [first, renamed, rebuilt] }).upgrade()
    await engine.execute(text("INSERT INTO d8s_items (id, name) VALUES (1, 'oak')"))
    expect((await engine.execute(text(log))).all()).toEqual([["oak"]])
  })
})

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("views on %s", (name) => {
  it("a view over both tables, and an INSTEAD OF trigger on it, stay as SQLite rewrote them", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`stale-view-${name}`)
    const viewed = defineRevision({
      id: "d8s000000005",
      parent: "d8s000000001",
      message: "a view over items and the log, written through a trigger",
      upgrade(op) {
        op.execute(
          "CREATE VIEW d8s_seen AS SELECT i.id, i.name, l.what AS what FROM d8s_items i JOIN d8s_log l ON l.id = i.id",
        )
        op.execute(
          "CREATE TRIGGER d8s_seen_write INSTEAD OF INSERT ON d8s_seen BEGIN INSERT INTO d8s_log (id, what) VALUES (NEW.id, NEW.what); END",
        )
      },
      downgrade() {},
    })
    const both = defineRevision({
      id: "d8s000000006",
      parent: "d8s000000005",
      message: "rename the log's column, then rebuild items",
      upgrade(op) {
        op.execute("DROP TRIGGER d8s_items_logged")
        op.alterColumn("d8s_log", "what", { newName: "note" })
        rebuild(op)
      },
      downgrade() {},
    })
    await new Migrator(engine, { revisions: [first, viewed, both] }).upgrade()
    await engine.execute(text("INSERT INTO d8s_items (id, name) VALUES (2, 'elm')"))
    await engine.execute(text("INSERT INTO d8s_seen (id, name, what) VALUES (2, 'elm', 'seen')"))
    expect((await engine.execute(text("SELECT id, name, what FROM d8s_seen"))).all()).toEqual([
      [2n, "elm", "seen"],
    ])
  })
})
