// What a SQLite rebuild must not change about a table it copies, beyond the change asked for:
// - a key declared `INT PRIMARY KEY` is a plain key beside a hidden rowid (only exactly INTEGER is the
//   rowid). Introspection spelled it INTEGER, so the rebuild made it the rowid: NULL keys were numbered
//   (silently changing rows) and every row's rowid became its key.
// - an index on `email COLLATE NOCASE` or `n DESC` came back plain (a unique one then let in duplicates
//   differing in case), and `UNIQUE (email COLLATE NOCASE)` came back comparing bytes.
// Rows are compared as stored (hex and typeof), with their rowids, and the schema as SQLite holds it.
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

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  return (await engine.execute(text(sql))).all().map((row) => [...row].map(String))
}

const stored = (table: string, columns: string[]) =>
  `SELECT rowid, ${columns.map((c) => `typeof(${c}), hex(${c})`).join(", ")} FROM ${table} ORDER BY rowid`

/** A revision that only makes `column` NOT NULL: on SQLite, a rebuild of `table`. */
const notNull = (table: string, column: string) =>
  defineRevision({
    id: "a5e1c0000001",
    parent: null,
    message: `${table}.${column} not null`,
    upgrade(op) {
      op.alterColumn(table, column, { nullable: false })
    },
    downgrade(op) {
      op.alterColumn(table, column, { nullable: true })
    },
  })

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("SQLite rebuilds on %s", (name) => {
  it("keep an INT PRIMARY KEY a plain key: its rows, text keys and hidden rowids as they were", async () => {
    const engine = target(name).engine("r5m-int-key")
    await run(
      engine,
      "CREATE TABLE r5m_codes (id INT PRIMARY KEY, v TEXT)",
      // Rowids 1-4 apart from the keys; a text key; a NUL inside text; a blob; 2^63-1.
      "INSERT INTO r5m_codes (rowid, id, v) VALUES (1, 9, 'nine'), (2, 'x', 'a' || char(0) || 'b'), (3, 9223372036854775807, 'ünï ✓'), (4, 5, X'00ff')",
    )
    const before = await rows(engine, stored("r5m_codes", ["id", "v"]))
    const migrator = new Migrator(engine, { revisions: [notNull("r5m_codes", "v")] })
    await migrator.upgrade()
    expect(await rows(engine, stored("r5m_codes", ["id", "v"]))).toEqual(before)
    const [[create]] = (await rows(engine, "SELECT sql FROM sqlite_master WHERE name = 'r5m_codes'")) as [
      [string],
    ]
    expect(create).toContain("id INT NOT NULL PRIMARY KEY")
    // Still not the rowid: a new row takes the next rowid, not its key.
    await run(engine, "INSERT INTO r5m_codes (id, v) VALUES (100, 'hundred')")
    expect(await rows(engine, "SELECT rowid FROM r5m_codes WHERE id = 100")).toEqual([["5"]])
    await migrator.downgrade("base")
    expect(await rows(engine, "SELECT rowid, id FROM r5m_codes ORDER BY rowid")).toEqual([
      ["1", "9"],
      ["2", "x"],
      ["3", "9223372036854775807"],
      ["4", "5"],
      ["5", "100"],
    ])
  })

  it("refuse to number an INT PRIMARY KEY's NULL keys, leaving the rows as they were", async () => {
    const engine = target(name).engine("r5m-int-key-nulls")
    await run(
      engine,
      "CREATE TABLE r5m_codes (id INT PRIMARY KEY, v TEXT)",
      "INSERT INTO r5m_codes (rowid, id, v) VALUES (1, NULL, 'a'), (2, 9, 'b'), (3, 5, 'c')",
    )
    const before = await rows(engine, stored("r5m_codes", ["id", "v"]))
    const migrator = new Migrator(engine, { revisions: [notNull("r5m_codes", "v")] })
    const error = await migrator.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    expect((error as Error).message).toMatch(/NOT NULL constraint failed: r5m_codes\.id/)
    expect(await rows(engine, stored("r5m_codes", ["id", "v"]))).toEqual(before)
    expect(await migrator.current()).toEqual([])
  })

  it("keep indexes with a collation or a descending column as written, still refusing duplicates", async () => {
    const engine = target(name).engine("r5m-collated-index")
    await run(
      engine,
      "CREATE TABLE r5m_members (id INTEGER PRIMARY KEY, email TEXT, n INTEGER)",
      "CREATE UNIQUE INDEX r5m_members_email ON r5m_members (email COLLATE NOCASE)",
      "CREATE INDEX r5m_members_n ON r5m_members (n DESC, email)",
      "INSERT INTO r5m_members VALUES (1, 'Ann@example.com', 1), (2, 'bob@example.com', 2)",
    )
    const schema = "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'r5m_members' ORDER BY name"
    const before = await rows(engine, schema)
    const data = await rows(engine, stored("r5m_members", ["id", "email", "n"]))
    await new Migrator(engine, { revisions: [notNull("r5m_members", "n")] }).upgrade()
    expect(await rows(engine, stored("r5m_members", ["id", "email", "n"]))).toEqual(data)
    const after = await rows(engine, schema)
    expect(after.filter(([type]) => type === "index")).toEqual(before.filter(([type]) => type === "index"))
    const duplicate = await run(engine, "INSERT INTO r5m_members VALUES (3, 'ANN@EXAMPLE.COM', 3)").catch(
      (e: unknown) => e,
    )
    expect(String(duplicate)).toMatch(/UNIQUE constraint failed/)
  })

  it("refuse to rebuild a UNIQUE constraint that compares under a collation, before sending anything", async () => {
    const engine = target(name).engine("r5m-collated-unique")
    await run(
      engine,
      "CREATE TABLE r5m_accounts (id INTEGER PRIMARY KEY, email TEXT, n INTEGER, UNIQUE (email COLLATE NOCASE))",
      "INSERT INTO r5m_accounts VALUES (1, 'Ann@example.com', 1)",
    )
    const before = await rows(engine, "SELECT sql FROM sqlite_master WHERE tbl_name = 'r5m_accounts'")
    const error = await new Migrator(engine, { revisions: [notNull("r5m_accounts", "n")] })
      .upgrade()
      .catch((e: unknown) => e)
    expect((error as Error).message).toContain("nothing was sent")
    expect((error as Error).message).toContain("a UNIQUE or PRIMARY KEY constraint's COLLATE")
    expect(await rows(engine, "SELECT sql FROM sqlite_master WHERE tbl_name = 'r5m_accounts'")).toEqual(
      before,
    )
    const duplicate = await run(engine, "INSERT INTO r5m_accounts VALUES (2, 'ANN@example.com', 2)").catch(
      (e: unknown) => e,
    )
    expect(String(duplicate)).toMatch(/UNIQUE constraint failed/)
  })
})
