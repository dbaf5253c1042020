// `migrate current` and `migrate check` are how a newcomer looks at a database (in CI, often with a
// read-only token): Migrator.current() sent CREATE TABLE IF NOT EXISTS for the version table (and took
// PostgreSQL's advisory lock) before reading it, so looking wrote to the database, and a read-only
// credential failed. It now only reads: no version table is at base, and nothing is created.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Engine, text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, staticRevisions } from "../../src/migrate.ts"
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

const first = defineRevision({
  id: "bbbbbbbbbbbb",
  parent: null,
  message: "notes",
  upgrade(op) {
    op.createTable("nc6_cur", [{ name: "id", type: Integer, primaryKey: true }])
  },
  downgrade(op) {
    op.dropTable("nc6_cur")
  },
})

async function tableNames(engine: Engine, dialect: "postgresql" | "sqlite"): Promise<string[]> {
  const sql =
    dialect === "sqlite"
      ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
      : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"
  return (await engine.execute(text(sql))).all().map((row) => String(row[0]))
}

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
  it("current() reads in one request and creates nothing; after an upgrade it reads the heads", async () => {
    const { dialect } = target(name)
    const engine = target(name).engine("nc6-current")
    const migrator = new Migrator(engine, { revisions: staticRevisions([first]) })
    const before = await target(name).requests("nc6-current")
    expect(await migrator.current()).toEqual([])
    expect(((await target(name).requests("nc6-current")) ?? 0) - (before ?? 0)).toBe(1)
    expect(await tableNames(engine, dialect)).toEqual([])
    await migrator.upgrade()
    expect(await migrator.current()).toEqual(["bbbbbbbbbbbb"])
  })
})
