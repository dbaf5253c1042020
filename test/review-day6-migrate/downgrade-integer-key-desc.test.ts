// `INTEGER PRIMARY KEY DESC` is a plain key beside a hidden rowid in SQLite (cf821f8 kept it through an
// upgrade's rebuild). Two ways back still made it the rowid, `INTEGER PRIMARY KEY`:
// - a rebuild back to INTEGER: once a revision made the key BIGINT, introspection no longer read it as
//   DESC (only a key declared exactly INTEGER was looked at), so the downgrade's rebuild to Integer wrote
//   INTEGER PRIMARY KEY: every row's rowid became its key, and a text key failed the downgrade;
// - autogenerate's downgrade of a dropped table: the createTable it wrote had no way to say DESC.
// The DESC is now read from the key's own index, whatever the type, and ColumnDef has `descendingKey`
// (SQLite only), which autogenerate writes for such a key. Rows are compared as stored, with rowids.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Engine, MetaData, text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator } from "../../src/migrate.ts"
import {
  type MigrationDatabases,
  migrationDatabases,
  type Target,
  type TargetName,
} from "../migrate/databases.ts"
import { revisionFolder } from "../migrate/revision-folder.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

async function run(engine: Engine, ...statements: string[]): Promise<void> {
  const connection = engine.connect()
  try {
    await connection.batch(statements.map((sql) => text(sql)))
  } finally {
    await connection.close()
  }
}

const rows = async (engine: Engine, sql: string) =>
  (await engine.execute(text(sql))).all().map((row) => [...row].map(String))

const stored = "SELECT rowid, typeof(id), hex(id), v FROM r6d_desc ORDER BY rowid"
const schemaText = "SELECT sql FROM sqlite_master WHERE name = 'r6d_desc'"

const widened = defineRevision({
  id: "a6d000000001",
  parent: null,
  message: "id bigint",
  upgrade(op) {
    op.alterColumn("r6d_desc", "id", { type: "BIGINT" })
  },
  downgrade(op) {
    op.alterColumn("r6d_desc", "id", { type: Integer })
  },
})

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("a rebuild back to INTEGER keeps the key DESC: rowids and text keys as they were", async () => {
    const engine = target(name).engine("r6d-back")
    await run(
      engine,
      "CREATE TABLE r6d_desc (id INTEGER PRIMARY KEY DESC, v TEXT)",
      "INSERT INTO r6d_desc (rowid, id, v) VALUES (1, 9, 'nine'), (2, 'x', 'text key'), (3, 5, 'five')",
    )
    const before = await rows(engine, stored)
    const migrator = new Migrator(engine, { revisions: [widened] })
    await migrator.upgrade()
    expect(await rows(engine, schemaText)).toEqual([
      ["CREATE TABLE r6d_desc (id BIGINT NOT NULL PRIMARY KEY DESC, v TEXT)"],
    ])
    expect(await rows(engine, stored)).toEqual(before)
    await migrator.downgrade("base")
    expect(await rows(engine, schemaText)).toEqual([
      ["CREATE TABLE r6d_desc (id INTEGER NOT NULL PRIMARY KEY DESC, v TEXT)"],
    ])
    expect(await rows(engine, stored)).toEqual(before)
    // Still not the rowid: a new row takes the next rowid, not its key.
    await run(engine, "INSERT INTO r6d_desc (id, v) VALUES (100, 'hundred')")
    expect(await rows(engine, "SELECT rowid FROM r6d_desc WHERE id = 100")).toEqual([["4"]])
  })

  it("autogenerate's downgrade of a dropped table creates the key DESC again", async () => {
    const engine = target(name).engine("r6d-drop")
    await run(engine, "CREATE TABLE r6d_desc (id INTEGER PRIMARY KEY DESC, v TEXT)")
    const folder = revisionFolder(engine)
    try {
      const { changes } = await folder.write(new MetaData(), "drop r6d_desc")
      const recreate = changes.flatMap((c) => c.downgrade).find((op) => op.kind === "createTable")
      expect(recreate?.kind === "createTable" && recreate.columns[0]).toEqual({
        name: "id",
        type: "INTEGER",
        primaryKey: true,
        descendingKey: true,
      })
      const migrator = folder.migrator()
      await migrator.upgrade()
      expect(await rows(engine, schemaText)).toEqual([])
      await migrator.downgrade("base")
      expect(await rows(engine, schemaText)).toEqual([
        ["CREATE TABLE r6d_desc (id INTEGER NOT NULL PRIMARY KEY DESC, v TEXT)"],
      ])
      await run(engine, "INSERT INTO r6d_desc (id, v) VALUES (100, 'hundred'), ('x', 'text key')")
      expect(await rows(engine, stored)).toEqual([
        ["1", "integer", "313030", "hundred"],
        ["2", "text", "78", "text key"],
      ])
    } finally {
      folder.remove()
    }
  })
})

it("PostgreSQL ignores descendingKey: a plain key", async () => {
  const engine = target("neon-http").engine("r6d-pg")
  const revision = defineRevision({
    id: "a6d000000002",
    parent: null,
    message: "desc key",
    upgrade(op) {
      op.createTable("r6d_pg", [{ name: "id", type: Integer, primaryKey: true, descendingKey: true }])
    },
    downgrade(op) {
      op.dropTable("r6d_pg")
    },
  })
  const migrator = new Migrator(engine, { revisions: [revision] })
  await migrator.upgrade()
  await run(engine, "INSERT INTO r6d_pg (id) VALUES (1)")
  expect(await rows(engine, "SELECT id FROM r6d_pg")).toEqual([["1"]])
  await migrator.downgrade("base")
})
