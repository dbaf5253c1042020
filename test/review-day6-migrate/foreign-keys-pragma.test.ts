// A table rebuilt by hand on SQLite, as SQLite's documentation writes it and as a refused rebuild tells
// the developer to (op.execute): PRAGMA foreign_keys = OFF, create the new table, copy the rows, drop the
// old one, rename. A revision runs in one transaction, where SQLite ignores that pragma without a word,
// so foreign keys stayed on: dropping the old parent table deleted every row that referenced it through
// an ON DELETE CASCADE key, and the revision went through. Setting PRAGMA foreign_keys in a revision is
// now refused before anything is sent, saying why and what to do; reading it still runs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Engine, InvalidRequestError, text } from "../../src/index.ts"
import { defineRevision, Migrator } from "../../src/migrate.ts"
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

const rows = async (engine: Engine, sql: string) =>
  (await engine.execute(text(sql))).all().map((r) => [...r].map((v) => `${v}`))

const byHand = (pragma: string) =>
  defineRevision({
    id: "a6c0f0000001",
    parent: null,
    message: "authors rebuilt by hand",
    upgrade(op) {
      op.execute(pragma)
      op.execute("CREATE TABLE r6k_authors_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
      op.execute("INSERT INTO r6k_authors_new SELECT id, name FROM r6k_authors")
      op.execute("DROP TABLE r6k_authors")
      op.execute("ALTER TABLE r6k_authors_new RENAME TO r6k_authors")
    },
    downgrade() {},
  })

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it.each([
    "PRAGMA foreign_keys = OFF",
    "pragma FOREIGN_KEYS=0;",
    'PRAGMA main."foreign_keys" = false',
    "PRAGMA foreign_keys(off)",
    "-- checks off while the table is rebuilt\nPRAGMA foreign_keys = OFF",
    "/* as SQLite's documentation writes it */ PRAGMA foreign_keys=off",
  ])("refuses %s in a revision, before anything is sent", async (pragma) => {
    const engine = target(name).engine("r6k")
    await engine.execute(text("CREATE TABLE r6k_authors (id INTEGER PRIMARY KEY, name TEXT)"))
    await engine.execute(
      text(
        "CREATE TABLE r6k_books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES r6k_authors (id) ON DELETE CASCADE)",
      ),
    )
    await engine.execute(text("INSERT INTO r6k_authors VALUES (1, 'ann')"))
    await engine.execute(text("INSERT INTO r6k_books VALUES (10, 1), (11, 1)"))
    const migrator = new Migrator(engine, { revisions: [byHand(pragma)] })
    const error = await migrator.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidRequestError)
    expect((error as Error).message).toContain("nothing was sent")
    expect((error as Error).message).toContain("SQLite ignores PRAGMA foreign_keys inside a transaction")
    expect(await migrator.current()).toEqual([])
    expect(await rows(engine, "SELECT id FROM r6k_books ORDER BY id")).toEqual([["10"], ["11"]])
  })

  it("still reads PRAGMA foreign_keys", async () => {
    const engine = target(name).engine("r6k-read")
    const reads = defineRevision({
      id: "a6c0f0000002",
      parent: null,
      message: "reads",
      upgrade: (op) => op.execute("PRAGMA foreign_keys"),
      downgrade() {},
    })
    await new Migrator(engine, { revisions: [reads] }).upgrade()
    expect(await new Migrator(engine, { revisions: [reads] }).current()).toEqual([reads.id])
  })
})
