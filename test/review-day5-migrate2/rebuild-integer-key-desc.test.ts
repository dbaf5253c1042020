// `INTEGER PRIMARY KEY DESC` is not the rowid in SQLite (a quirk it keeps for compatibility): it is a
// plain key with an index of its own, beside a hidden rowid, and may hold text. Introspection took it
// for the rowid (declared exactly INTEGER), so a rebuild wrote `INTEGER PRIMARY KEY`: every row's rowid
// became its key (whatever points at rowids found other rows), a NULL key was silently numbered, a
// text key refused. Now it is written as it was, and a NULL key is refused, as for any key.
// Rows are compared as stored (typeof and hex), with their rowids.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Engine, text } from "../../src/index.ts"
import { defineRevision, Migrator, RevisionFailedError } from "../../src/migrate.ts"
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

const stored = "SELECT rowid, typeof(id), hex(id), typeof(v), hex(v) FROM r5n_desc ORDER BY rowid"

const notNull = defineRevision({
  id: "a5f2c0000001",
  parent: null,
  message: "v not null",
  upgrade(op) {
    op.alterColumn("r5n_desc", "v", { nullable: false })
  },
  downgrade(op) {
    op.alterColumn("r5n_desc", "v", { nullable: true })
  },
})

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("SQLite rebuilds on %s", (name) => {
  it("keep INTEGER PRIMARY KEY DESC a plain key: rowids, text keys and the key's index as they were", async () => {
    const engine = target(name).engine("r5n-desc")
    await run(
      engine,
      "CREATE TABLE r5n_desc (id INTEGER PRIMARY KEY DESC, v TEXT)",
      "INSERT INTO r5n_desc (rowid, id, v) VALUES (1, 9, 'nine'), (2, 'x', 'text key'), (3, 5, 'five')",
    )
    const before = await rows(engine, stored)
    const migrator = new Migrator(engine, { revisions: [notNull] })
    await migrator.upgrade()
    expect(await rows(engine, stored)).toEqual(before)
    expect(await rows(engine, "SELECT sql FROM sqlite_master WHERE name = 'r5n_desc'")).toEqual([
      ["CREATE TABLE r5n_desc (id INTEGER NOT NULL PRIMARY KEY DESC, v TEXT NOT NULL)"],
    ])
    // Still not the rowid: a new row takes the next rowid, not its key; the key has its index.
    await run(engine, "INSERT INTO r5n_desc (id, v) VALUES (100, 'hundred')")
    expect(await rows(engine, "SELECT rowid FROM r5n_desc WHERE id = 100")).toEqual([["4"]])
    expect(await rows(engine, "SELECT origin FROM pragma_index_list('r5n_desc')")).toEqual([["pk"]])
    await migrator.downgrade("base")
    expect(await rows(engine, "SELECT rowid, id FROM r5n_desc ORDER BY rowid")).toEqual([
      ["1", "9"],
      ["2", "x"],
      ["3", "5"],
      ["4", "100"],
    ])
  })

  it("refuse a NULL key rather than number it", async () => {
    const engine = target(name).engine("r5n-desc-null")
    await run(
      engine,
      "CREATE TABLE r5n_desc (id INTEGER PRIMARY KEY DESC, v TEXT)",
      "INSERT INTO r5n_desc (rowid, id, v) VALUES (7, NULL, 'no key'), (8, 3, 'three')",
    )
    const before = await rows(engine, stored)
    const error = await new Migrator(engine, { revisions: [notNull] }).upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    expect((error as Error).message).toMatch(/NOT NULL constraint failed: r5n_desc\.id/)
    expect(await rows(engine, stored)).toEqual(before)
  })
})
