// A view over a table SQLite rebuilds. Dropping (or renaming, in a rebuild) a column a view uses went
// through, leaving a view that fails when read and makes every later ALTER TABLE ... RENAME anywhere in
// the database fail ("error in view ..."): the next revision with a rename could not run. SQLite's own
// ALTER TABLE DROP COLUMN refuses this, and PostgreSQL refuses it too (the view depends on the column).
// Now the revision fails and rolls back, saying to drop the view first; views a rebuild does not break
// read the same rows after it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Engine, String as StringType, text } from "../../src/index.ts"
import { defineRevision, Migrator, type Revision, RevisionFailedError } from "../../src/migrate.ts"
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
  await databases.reset()
  // The reset drops tables; on SQLite the views over them stay unless dropped too.
  for (const t of databases.targets.filter((t) => t.name === "libsql-http" || t.name === "libsql-embedded")) {
    for (const view of ["r5m_named", "r5m_nicknamed"])
      await t.engine("r5m-reset").execute(text(`DROP VIEW IF EXISTS ${view}`))
  }
})
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

const rows = async (engine: Engine, sql: string) =>
  (await engine.execute(text(sql))).all().map((r) => [...r].map(String))

const base = defineRevision({
  id: "a5e2c0000001",
  parent: null,
  message: "people and a view of them",
  upgrade(op) {
    op.execute("CREATE TABLE r5m_people (id INTEGER PRIMARY KEY, name TEXT, nick TEXT, age INTEGER)")
    op.execute("CREATE VIEW r5m_named AS SELECT id, name FROM r5m_people")
    op.execute("CREATE VIEW r5m_nicknamed AS SELECT id, nick FROM r5m_people WHERE nick IS NOT NULL")
    op.execute("INSERT INTO r5m_people VALUES (1, 'ann', 'a', 30), (2, 'bob', NULL, NULL)")
  },
  downgrade(op) {
    op.execute("DROP VIEW r5m_nicknamed")
    op.execute("DROP VIEW r5m_named")
    op.execute("DROP TABLE r5m_people")
  },
})

const next = (id: string, upgrade: Revision["upgrade"]): Revision =>
  defineRevision({ id, parent: base.id, message: id, upgrade, downgrade() {} })

describe.each(["libsql-http", "libsql-embedded", "neon-http"] satisfies TargetName[])("on %s", (name) => {
  it("refuses to drop a column a view uses, and leaves the views and rows as they were", async () => {
    const engine = target(name).engine("r5m-views")
    const dropNick = next("a5e2c0000002", (op) => op.dropColumn("r5m_people", "nick"))
    const migrator = new Migrator(engine, { revisions: [base, dropNick] })
    await migrator.upgrade(base.id)
    const error = await migrator.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    if (target(name).dialect === "sqlite") expect((error as Error).message).toContain("drop the view first")
    expect(await migrator.current()).toEqual([base.id])
    expect(await rows(engine, "SELECT id, nick FROM r5m_nicknamed")).toEqual([["1", "a"]])

    // Dropped first and made again after, in the same revision, it goes through.
    const withView = next("a5e2c0000003", (op) => {
      op.execute("DROP VIEW r5m_nicknamed")
      op.dropColumn("r5m_people", "nick")
      op.execute("CREATE VIEW r5m_nicknamed AS SELECT id, name AS nick FROM r5m_people")
    })
    await new Migrator(engine, { revisions: [base, withView] }).upgrade()
    expect(await rows(engine, "SELECT id, nick FROM r5m_nicknamed ORDER BY id")).toEqual([
      ["1", "ann"],
      ["2", "bob"],
    ])
    expect(await rows(engine, "SELECT id, name FROM r5m_named ORDER BY id")).toEqual([
      ["1", "ann"],
      ["2", "bob"],
    ])
  })
})

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("refuses a rename in a rebuild that a view uses, and a later rename still works", async () => {
    const engine = target(name).engine("r5m-views-rename")
    // A rename with a type change is a rebuild on SQLite: the view would go on naming `name`.
    const renameAndRetype = next("a5e2c0000004", (op) =>
      op.alterColumn("r5m_people", "name", { newName: "full_name", type: StringType(80) }),
    )
    const migrator = new Migrator(engine, { revisions: [base, renameAndRetype] })
    await migrator.upgrade(base.id)
    const error = await migrator.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    expect((error as Error).message).toContain("no such column: name")
    expect(await migrator.current()).toEqual([base.id])
    // The database still takes renames (a broken view would make SQLite refuse them all).
    const rename = next("a5e2c0000005", (op) => op.renameTable("r5m_people", "r5m_persons"))
    await new Migrator(engine, { revisions: [base, rename] }).upgrade()
    expect(await rows(engine, "SELECT id, name FROM r5m_named ORDER BY id")).toEqual([
      ["1", "ann"],
      ["2", "bob"],
    ])
  })
})
