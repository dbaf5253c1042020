// A SQLite rename writes the new name into the table's triggers and hand-made indexes too; the
// runner's schema, carried forward from revision to revision within one command, did not, so a later
// revision rebuilding the renamed table recreated them under the old names and failed ("no such
// table: main.mg2_shelves"), although each revision applied on its own. The runner now reads the
// schema again after a revision that renames, as after one that runs raw SQL. Within one revision it
// cannot (a revision is one request): a rebuild of a table renamed earlier in the same revision, whose
// triggers or hand-made indexes SQLite rewrote, is refused before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, String } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "./databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(() => databases.stop())

const revisions = [
  defineRevision({
    id: "5e1f00000001",
    parent: null,
    message: "shelves, a trigger logging them, an index on an expression",
    upgrade(op) {
      op.createTable("mg2_shelves", [
        { name: "id", type: Integer, primaryKey: true },
        { name: "name", type: String(10), nullable: true },
      ])
      op.createTable("mg2_shelf_log", [
        { name: "id", type: Integer, primaryKey: true },
        { name: "what", type: String(50), nullable: true },
      ])
      op.execute(
        "CREATE TRIGGER mg2_shelves_logged AFTER INSERT ON mg2_shelves BEGIN INSERT INTO mg2_shelf_log (what) VALUES (NEW.name); END",
      )
      op.execute("CREATE INDEX ix_mg2_shelves_lower ON mg2_shelves (lower(name))")
    },
    downgrade(op) {
      op.dropTable("mg2_shelf_log")
      op.dropTable("mg2_shelves")
    },
  }),
  defineRevision({
    id: "5e1f00000002",
    parent: "5e1f00000001",
    message: "shelves become racks, their name a label",
    upgrade(op) {
      op.renameTable("mg2_shelves", "mg2_racks")
      op.alterColumn("mg2_racks", "name", { newName: "label" })
    },
    downgrade(op) {
      op.alterColumn("mg2_racks", "label", { newName: "name" })
      op.renameTable("mg2_racks", "mg2_shelves")
    },
  }),
  defineRevision({
    id: "5e1f00000003",
    parent: "5e1f00000002",
    message: "longer labels (a rebuild)",
    upgrade(op) {
      op.alterColumn("mg2_racks", "label", { type: String(50) })
    },
    downgrade(op) {
      op.alterColumn("mg2_racks", "label", { type: String(10) })
    },
  }),
]

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("rebuilds a table renamed by an earlier revision of the same command, with its trigger and index", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`renames-${name}`)
    const migrator = new Migrator(engine, { revisions })
    await migrator.upgrade()
    expect(await migrator.current()).toEqual(["5e1f00000003"])
    await engine.execute(text("INSERT INTO mg2_racks (id, label) VALUES (1, 'oak')"))
    expect((await engine.execute(text("SELECT what FROM mg2_shelf_log"))).all()).toEqual([["oak"]])
    const index = await engine.execute(
      text(
        "SELECT sql FROM sqlite_master WHERE name = 'ix_mg2_racks_lower' OR name = 'ix_mg2_shelves_lower'",
      ),
    )
    expect(index.all()).toEqual([['CREATE INDEX ix_mg2_shelves_lower ON "mg2_racks" (lower(label))']])

    await migrator.downgrade("5e1f00000001")
    await engine.execute(text("INSERT INTO mg2_shelves (id, name) VALUES (2, 'elm')"))
    expect((await engine.execute(text("SELECT what FROM mg2_shelf_log ORDER BY id"))).all()).toEqual([
      ["oak"],
      ["elm"],
    ])
    await migrator.upgrade()
    await migrator.downgrade("base")
    expect(await migrator.current()).toEqual([])
  })
  it("refuses, before sending anything, to rebuild a table renamed earlier in the same revision", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`renames-one-revision-${name}`)
    const [first] = revisions
    const renameAndRebuild = defineRevision({
      id: "5e1f00000009",
      parent: "5e1f00000001",
      message: "racks with longer labels, in one revision",
      upgrade(op) {
        op.renameTable("mg2_shelves", "mg2_racks")
        op.alterColumn("mg2_racks", "name", { type: String(50) })
      },
      downgrade: () => {},
    })
    const migrator = new Migrator(engine, {
      revisions: [first as (typeof revisions)[0], renameAndRebuild],
      versionTable: "mg2_version_one_revision",
    })
    await migrator.upgrade("+1")
    await expect(migrator.upgrade()).rejects.toThrow(
      "Changing mg2_racks rebuilds table mg2_racks, renamed (or a column of it) earlier in this revision",
    )
    expect(await migrator.current()).toEqual(["5e1f00000001"])
    await migrator.downgrade("base")
  })
  it("rebuilds in the revision that renamed a column no trigger or hand-made index uses", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`renames-unused-${name}`)
    const bins = defineRevision({
      id: "5e1f0000000b",
      parent: null,
      message: "bins, a trigger logging their notes",
      upgrade(op) {
        op.createTable("rv_bins", [
          { name: "id", type: Integer, primaryKey: true },
          { name: "note", type: String(10), nullable: true },
          { name: "size", type: String(10), nullable: true },
        ])
        op.createTable("rv_bin_log", [
          { name: "id", type: Integer, primaryKey: true },
          { name: "what", type: String(50), nullable: true },
        ])
        op.execute(
          "CREATE TRIGGER rv_bins_logged AFTER INSERT ON rv_bins BEGIN INSERT INTO rv_bin_log (what) VALUES (NEW.note); END",
        )
      },
      downgrade(op) {
        op.dropTable("rv_bin_log")
        op.dropTable("rv_bins")
      },
    })
    // The trigger names note, not size: SQLite's rename leaves it as it was, and the rebuild may
    // recreate it as written.
    const renameAndRebuild = defineRevision({
      id: "5e1f0000000c",
      parent: "5e1f0000000b",
      message: "size becomes capacity, longer",
      upgrade(op) {
        op.alterColumn("rv_bins", "size", { newName: "capacity" })
        op.alterColumn("rv_bins", "capacity", { type: String(50) })
      },
      downgrade: () => {},
    })
    const migrator = new Migrator(engine, {
      revisions: [bins, renameAndRebuild],
      versionTable: "rv_version_renames",
    })
    await migrator.upgrade()
    expect(await migrator.current()).toEqual(["5e1f0000000c"])
    await engine.execute(
      text("INSERT INTO rv_bins (id, note, capacity) VALUES (1, 'oak', 'a longer capacity')"),
    )
    expect((await engine.execute(text("SELECT what FROM rv_bin_log"))).all()).toEqual([["oak"]])
    await migrator.downgrade("base")
  })
  it("refuses to rename a column used by a trigger inside a rebuild, naming the way that works", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`renames-in-rebuild-${name}`)
    const [first] = revisions
    const renameWithType = defineRevision({
      id: "5e1f0000000a",
      parent: "5e1f00000001",
      message: "shelf names become longer labels, in one change",
      upgrade: (op) => op.alterColumn("mg2_shelves", "name", { newName: "label", type: String(50) }),
      downgrade: () => {},
    })
    const migrator = new Migrator(engine, {
      revisions: [first as (typeof revisions)[0], renameWithType],
      versionTable: "mg2_version_in_rebuild",
    })
    await migrator.upgrade("+1")
    await expect(migrator.upgrade()).rejects.toThrow(
      "Renaming mg2_shelves.name to label in a rebuild would leave the triggers or indexes that use it naming name",
    )
    expect(await migrator.current()).toEqual(["5e1f00000001"])
    await migrator.downgrade("base")
  })
})
