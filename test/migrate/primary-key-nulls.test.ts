// A primary key that is not an INTEGER (a slug, a code) holds no NULL. SQLite, by a legacy quirk,
// lets such a key hold NULLs, several of them, unless it is declared NOT NULL, and revisions created
// it as `slug VARCHAR(20) PRIMARY KEY`: rows without a key went in, on SQLite only. Revisions (and
// SQLite rebuilds) now declare it NOT NULL, so both databases refuse them.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { IntegrityError, text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, String } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "./databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(() => databases.stop())

const revisions = [
  defineRevision({
    id: "9e1100000001",
    parent: null,
    message: "pages keyed by slug, counters keyed by an integer",
    upgrade(op) {
      op.createTable("mg2_pages", [
        { name: "slug", type: String(20), primaryKey: true },
        { name: "title", type: String(20), nullable: true },
      ])
      op.createTable("mg2_counters", [
        { name: "id", type: Integer, primaryKey: true },
        { name: "n", type: Integer, nullable: true },
      ])
    },
    downgrade(op) {
      op.dropTable("mg2_counters")
      op.dropTable("mg2_pages")
    },
  }),
  defineRevision({
    id: "9e1100000002",
    parent: "9e1100000001",
    message: "longer titles (a rebuild on SQLite)",
    upgrade: (op) => op.alterColumn("mg2_pages", "title", { type: String(80) }),
    downgrade: (op) => op.alterColumn("mg2_pages", "title", { type: String(20) }),
  }),
]

describe.each(["neon-http", "libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("refuses a row without its key, before and after a rebuild; SQLite still numbers an integer key", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`pk-nulls-${name}`)
    const migrator = new Migrator(engine, { revisions })
    const keyless = () => engine.execute(text("INSERT INTO mg2_pages (slug, title) VALUES (NULL, 'lost')"))
    await migrator.upgrade("+1")
    await expect(keyless()).rejects.toBeInstanceOf(IntegrityError)
    await migrator.upgrade()
    await expect(keyless()).rejects.toBeInstanceOf(IntegrityError)
    if (target.dialect === "sqlite") {
      // An INTEGER key is the rowid, NOT NULL or not: SQLite still numbers a row given none.
      await engine.execute(text("INSERT INTO mg2_counters (n) VALUES (5)"))
      expect((await engine.execute(text("SELECT id, n FROM mg2_counters"))).all()).toEqual([[1n, 5n]])
    }
    expect((await engine.execute(text("SELECT count(*) FROM mg2_pages"))).scalar()).toEqual(
      target.dialect === "postgresql" ? "0" : 0n,
    )
    await migrator.downgrade("base")
  })
})
