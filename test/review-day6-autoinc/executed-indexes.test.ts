// An index a revision makes with op.execute (one on an expression, which models cannot declare: the
// blog's uq_users_username_lower) and a later rebuild of its table. The runner reads the schema once
// per revision and `migrate sql` never does, so the rebuild worked from a schema without it: `migrate
// sql` printed the blog's revision 91831570c695 rebuilding users without recreating the index (a
// deployer applying that script lost it, and 'Alice' and 'alice' could both sign up again), and a
// rebuild in the same revision as the CREATE INDEX dropped it silently. Likewise an index dropped by
// op.execute came back with a rebuild in the same revision. The simulated schema now follows both.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { revisions } from "../../migrations/index.ts"
import { type Engine, sqlite, text } from "../../src/index.ts"
import { defineRevision, Migrator } from "../../src/migrate.ts"
import {
  type MigrationDatabases,
  migrationDatabases,
  type Target,
  type TargetName,
} from "../migrate/databases.ts"

describe("migrate sql, without connecting", () => {
  it("rebuilds the blog's users with the index an earlier revision executed", async () => {
    const lines = await new Migrator(sqlite, { revisions }).sql("upgrade", "head", "8b47bb32eb4a")
    const create = lines.findIndex((l) =>
      l.startsWith("CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT"),
    )
    expect(create).toBeGreaterThan(0)
    expect(lines.slice(create)).toContain(
      "CREATE UNIQUE INDEX uq_users_username_lower ON users (lower(username));",
    )
  })
})

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

const rows = async (engine: Engine, sql: string) =>
  (await engine.execute(text(sql))).all().map((row) => [...row].map((v) => `${v}`))

const tables = defineRevision({
  id: "a6ae00000001",
  parent: null,
  message: "people",
  upgrade(op) {
    op.createTable("r6a_people", [
      { name: "id", type: "INTEGER", primaryKey: true, autoincrement: true },
      { name: "name", type: "TEXT" },
      { name: "note", type: "TEXT", nullable: true },
    ])
    op.execute("CREATE INDEX ix_r6a_people_note ON r6a_people (note) WHERE note IS NOT NULL")
  },
  downgrade(op) {
    op.dropTable("r6a_people")
  },
})

const indexThenRebuild = defineRevision({
  id: "a6ae00000002",
  parent: "a6ae00000001",
  message: "names unique in any case, note required",
  upgrade(op) {
    op.execute('CREATE UNIQUE INDEX "uq_r6a_people_lower" ON r6a_people (lower(name))')
    op.execute("DROP INDEX ix_r6a_people_note")
    op.alterColumn("r6a_people", "note", { nullable: false, default: "" })
  },
  downgrade(op) {
    op.alterColumn("r6a_people", "note", { nullable: true, default: null })
    op.execute("DROP INDEX uq_r6a_people_lower")
  },
})

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("a rebuild keeps the index executed before it in the same revision, and not the one dropped", async () => {
    const engine = target(name).engine("r6a-indexes")
    const migrator = new Migrator(engine, { revisions: [tables, indexThenRebuild] })
    await migrator.upgrade()
    expect(
      await rows(
        engine,
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'r6a_people' ORDER BY name",
      ),
    ).toEqual([["uq_r6a_people_lower"]])
    await engine.execute(text("INSERT INTO r6a_people (name) VALUES ('Alice')"))
    const refused = await engine
      .execute(text("INSERT INTO r6a_people (name) VALUES ('alice')"))
      .catch((e: unknown) => e)
    expect((refused as Error).message).toMatch(/UNIQUE constraint failed/)
    await migrator.downgrade("a6ae00000001")
    expect(
      await rows(
        engine,
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'r6a_people' ORDER BY name",
      ),
    ).toEqual([])
  })
})
