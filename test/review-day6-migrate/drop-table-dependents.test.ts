// op.dropTable on SQLite, of a table a view or another table's trigger uses. SQLite drops it all the same
// (PostgreSQL refuses: "other objects depend on it"), and the revision went through, leaving a view that
// fails when read and makes every later ALTER TABLE ... RENAME in the database fail ("error in view"),
// and with it every later rebuild, whose guards rename a scratch table; or a trigger failing the next
// write to its own table ("no such table"). Now the revision fails and rolls back, naming the view or
// trigger and saying to drop it first. The check comes once the revision is done: the view or trigger
// may be dropped after the table in it, and tables may go in any order. On PostgreSQL the same revision
// is refused by the database, rolled back whole.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Engine, text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, type Revision, RevisionFailedError } from "../../src/migrate.ts"
import {
  type MigrationDatabases,
  migrationDatabases,
  type Target,
  type TargetName,
} from "../migrate/databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(async () => {
  for (const t of databases.targets)
    if (t.name !== "neon-websocket")
      await t.engine("r6d-reset").execute(text("DROP VIEW IF EXISTS r6x_names"))
  await databases.reset()
})
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

const rows = async (engine: Engine, sql: string) =>
  (await engine.execute(text(sql))).all().map((r) => [...r].map(String))

const base = defineRevision({
  id: "a6f000000001",
  parent: null,
  message: "tags, visits, a log",
  upgrade(op) {
    op.createTable("r6x_tags", [
      { name: "id", type: Integer, primaryKey: true },
      { name: "name", type: "TEXT" },
    ])
    op.createTable("r6x_visits", [{ name: "tag_id", type: Integer }])
    op.bulkInsert("r6x_tags", [{ id: 1, name: "one" }])
    op.bulkInsert("r6x_visits", [{ tag_id: 1 }])
  },
  downgrade(op) {
    op.dropTable("r6x_visits")
    op.dropTable("r6x_tags")
  },
})

const dependent = (sql: string) =>
  defineRevision({
    id: "a6f000000002",
    parent: base.id,
    message: "a view or trigger",
    upgrade: (op) => op.execute(sql),
    downgrade: () => {},
  })

const dropTags = (first?: string): Revision =>
  defineRevision({
    id: "a6f000000003",
    parent: "a6f000000002",
    message: "no more tags",
    upgrade(op) {
      if (first) op.execute(first)
      op.dropTable("r6x_tags")
    },
    downgrade(op) {
      op.createTable("r6x_tags", [
        { name: "id", type: Integer, primaryKey: true },
        { name: "name", type: "TEXT" },
      ])
    },
  })

const VIEW = "CREATE VIEW r6x_names AS SELECT name FROM r6x_tags"
const TRIGGER =
  "CREATE TRIGGER r6x_count AFTER INSERT ON r6x_visits BEGIN UPDATE r6x_tags SET name = name || '+' WHERE id = NEW.tag_id; END"

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it.each([
    ["a view", VIEW, "view r6x_names", 'op.execute("DROP VIEW ...")'],
    ["another table's trigger", TRIGGER, "r6x_count", 'op.execute("DROP TRIGGER ...")'],
  ])("refuses to drop a table %s uses, naming it", async (_, sql, named, fix) => {
    const engine = target(name).engine("r6x")
    const migrator = new Migrator(engine, { revisions: [base, dependent(sql), dropTags()] })
    await migrator.upgrade("a6f000000002")
    const error = await migrator.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    const message = (error as Error).message
    expect(message).toContain(named)
    expect(message).toContain(fix)
    expect(await migrator.current()).toEqual(["a6f000000002"])
    expect(await rows(engine, "SELECT id, name FROM r6x_tags")).toEqual([["1", "one"]])
    if (sql === TRIGGER) await engine.execute(text("INSERT INTO r6x_visits VALUES (1)"))
    else expect(await rows(engine, "SELECT name FROM r6x_names")).toEqual([["one"]])
  })

  it("drops the table once the revision drops its view or trigger first", async () => {
    const engine = target(name).engine("r6x-mended")
    const create = defineRevision({
      id: "a6f000000002",
      parent: base.id,
      message: "both",
      upgrade(op) {
        op.execute(VIEW)
        op.execute(TRIGGER)
      },
      downgrade: () => {},
    })
    const drop = defineRevision({
      id: "a6f000000003",
      parent: create.id,
      message: "no more tags, nor what used them",
      upgrade(op) {
        // Checked once the revision is done: the view and trigger may go after the table.
        op.dropTable("r6x_tags")
        op.execute("DROP VIEW r6x_names")
        op.execute("DROP TRIGGER r6x_count")
      },
      downgrade(op) {
        op.createTable("r6x_tags", [{ name: "id", type: Integer, primaryKey: true }])
      },
    })
    const migrator = new Migrator(engine, { revisions: [base, create, drop] })
    await migrator.upgrade()
    expect(await migrator.current()).toEqual([drop.id])
    await engine.execute(text("INSERT INTO r6x_visits VALUES (2)"))
    await migrator.downgrade("-1")
    expect(await rows(engine, "SELECT tag_id FROM r6x_visits ORDER BY tag_id")).toEqual([["1"], ["2"]])
  })

  it("drops a table whose trigger uses another dropped before it in the same revision", async () => {
    const engine = target(name).engine("r6x-both")
    const both = defineRevision({
      id: "a6f000000003",
      parent: "a6f000000002",
      message: "no more tags, nor visits",
      upgrade(op) {
        op.dropTable("r6x_tags")
        op.dropTable("r6x_visits")
      },
      downgrade: () => {},
    })
    const migrator = new Migrator(engine, { revisions: [base, dependent(TRIGGER), both] })
    await migrator.upgrade()
    expect(await migrator.current()).toEqual([both.id])
    expect(await rows(engine, "SELECT name FROM sqlite_master WHERE name LIKE 'r6x%'")).toEqual([])
  })
})

it("PostgreSQL refuses to drop a table a view uses, rolling the revision back", async () => {
  const engine = target("neon-http").engine("r6x-pg")
  const migrator = new Migrator(engine, { revisions: [base, dependent(VIEW), dropTags()] })
  await migrator.upgrade("a6f000000002")
  const error = await migrator.upgrade().catch((e: unknown) => e)
  expect(error).toBeInstanceOf(RevisionFailedError)
  expect((error as Error).message).toContain("other objects depend on it")
  expect(await migrator.current()).toEqual(["a6f000000002"])
  expect(await rows(engine, "SELECT name FROM r6x_names")).toEqual([["one"]])
})
