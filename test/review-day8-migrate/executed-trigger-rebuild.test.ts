// A trigger op.execute() creates, then a rebuild of its table later in the same revision (the runner
// reads the schema once per revision, and `migrate sql` never does): the rebuild's DROP TABLE took the
// new trigger with it and wrote again only the triggers it had read, so the revision applied and the
// trigger was gone, silently (an audit log stopped filling). The simulated schema now follows CREATE
// TRIGGER executed on SQLite, as it followed CREATE INDEX and DROP TRIGGER: the rebuild writes it again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { sqlite, text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, String } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "../migrate/databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const tables = defineRevision({
  id: "d8e000000001",
  parent: null,
  message: "items and their log",
  upgrade(op) {
    op.createTable("d8e_items", [
      { name: "id", type: Integer, primaryKey: true },
      { name: "name", type: String(10), nullable: true },
    ])
    op.createTable("d8e_log", [
      { name: "id", type: Integer, primaryKey: true },
      { name: "what", type: String(50), nullable: true },
    ])
  },
  downgrade(op) {
    op.dropTable("d8e_log")
    op.dropTable("d8e_items")
  },
})

const TRIGGER =
  "CREATE TRIGGER d8e_items_logged AFTER INSERT ON d8e_items BEGIN INSERT INTO d8e_log (what) VALUES (NEW.name); END"

const logged = defineRevision({
  id: "d8e000000002",
  parent: "d8e000000001",
  message: "log items, longer names",
  upgrade(op) {
    op.execute(TRIGGER)
    op.alterColumn("d8e_items", "name", { type: String(50) })
  },
  downgrade(op) {
    op.alterColumn("d8e_items", "name", { type: String(10) })
    op.execute("DROP TRIGGER d8e_items_logged")
  },
})

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("a trigger created earlier in the revision survives the rebuild of its table", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`d8e-${name}`)
    const migrator = new Migrator(engine, { revisions: [tables, logged] })
    await migrator.upgrade()
    expect(
      (await engine.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger'"))).all(),
    ).toEqual([[TRIGGER]])
    await engine.execute(text("INSERT INTO d8e_items (id, name) VALUES (1, 'a name of twenty chars')"))
    expect((await engine.execute(text("SELECT what FROM d8e_log"))).all()).toEqual([
      ["a name of twenty chars"],
    ])
    await migrator.downgrade("base")
  })
})

it("migrate sql writes it again after the rebuild too", async () => {
  const lines = await new Migrator(sqlite, { revisions: [tables, logged] }).sql("upgrade", "head")
  expect(lines.filter((line) => line.startsWith("CREATE TRIGGER d8e_items_logged"))).toHaveLength(2)
})

// The same for a column op.execute() adds: the rebuild wrote the table as read, without the column,
// and the values the revision had put in it were dropped with it, the revision applied. Now refused
// before anything is sent; in a revision of its own, the rebuild keeps the column.
const added = defineRevision({
  id: "d8e000000003",
  parent: "d8e000000001",
  message: "a note by hand, filled, then longer names",
  upgrade(op) {
    op.execute("ALTER TABLE d8e_items ADD COLUMN note TEXT")
    op.execute("UPDATE d8e_items SET note = 'kept ' || name")
    op.alterColumn("d8e_items", "name", { type: String(50) })
  },
  downgrade() {},
})
const addedAlone = defineRevision({
  id: "d8e000000004",
  parent: "d8e000000001",
  message: "a note by hand, filled",
  upgrade(op) {
    op.execute("ALTER TABLE d8e_items ADD COLUMN note TEXT")
    op.execute("UPDATE d8e_items SET note = 'kept ' || name")
  },
  downgrade() {},
})
const longer = defineRevision({
  id: "d8e000000005",
  parent: "d8e000000004",
  message: "longer names",
  upgrade: (op) => op.alterColumn("d8e_items", "name", { type: String(50) }),
  downgrade() {},
})

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])(
  "a column added by hand, on %s",
  (name) => {
    it("is not dropped by a rebuild in the same revision", async () => {
      const target = databases.targets.find((t) => t.name === name)
      if (!target) throw new Error(name)
      const engine = target.engine(`d8e-add-${name}`)
      await new Migrator(engine, { revisions: [tables] }).upgrade()
      await engine.execute(text("INSERT INTO d8e_items (id, name) VALUES (1, 'oak')"))
      const refused = await new Migrator(engine, { revisions: [tables, added] })
        .upgrade()
        .catch((e: Error) => e)
      expect((refused as Error).message).toMatch(
        /nothing was sent: Changing d8e_items rebuilds table d8e_items, which op\.execute\(\) altered since its schema was read/,
      )
      await new Migrator(engine, { revisions: [tables, addedAlone, longer] }).upgrade()
      expect((await engine.execute(text("SELECT name, note FROM d8e_items"))).all()).toEqual([
        ["oak", "kept oak"],
      ])
    })
  },
)

it("migrate sql refuses a rebuild after a column added by hand in an earlier revision", async () => {
  const refused = await new Migrator(sqlite, { revisions: [tables, addedAlone, longer] })
    .sql("upgrade", "head")
    .catch((e: Error) => e)
  expect((refused as Error).message).toMatch(
    /altered since its schema was read \(ALTER TABLE d8e_items ADD COLUMN note TEXT\)/,
  )
})
