// What models cannot declare is left alone by autogenerate: an index on an expression, a partial
// index, and on SQLite a virtual table (FTS5) with the shadow tables that hold its data. Autogenerate
// offered to drop each of them, with downgrades that could not bring them back: an expression index
// came back as `CREATE INDEX ... ()` (on no columns, a syntax error), a partial unique index as a
// unique index over every row, and dropping FTS5's shadow tables breaks the index.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Boolean, column, Integer, MetaData, String, table, text } from "../../src/index.ts"
import { defineRevision, Migrator } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "./databases.ts"
import { type RevisionFolder, revisionFolder } from "./revision-folder.ts"

let databases: MigrationDatabases
const folders: RevisionFolder[] = []
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(async () => {
  await databases.stop()
  for (const folder of folders) folder.remove()
})

function accounts(withNote: boolean): MetaData {
  const metadata = new MetaData()
  table(
    "mg2_accounts",
    {
      id: column(Integer, { primaryKey: true }),
      email: column(String(50)),
      deleted: column(Boolean, { nullable: true }),
      ...(withNote ? { note: column(String(50), { nullable: true }) } : {}),
    },
    { metadata },
  )
  return metadata
}

const handMade = [
  "CREATE INDEX ix_mg2_accounts_lower ON mg2_accounts (lower(email))",
  "CREATE UNIQUE INDEX ix_mg2_accounts_live ON mg2_accounts (email) WHERE deleted IS NULL",
]

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
  it("leaves indexes on expressions and partial indexes alone, through a revision and its undoing", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`hand-made-${name}`)
    const folder = revisionFolder(engine)
    folders.push(folder)
    await folder.write(accounts(false), "accounts")
    await folder.migrator().upgrade()
    for (const sql of handMade) await engine.execute(text(sql))
    const indexNames = async () => {
      const sql =
        target.dialect === "postgresql"
          ? "SELECT indexname FROM pg_indexes WHERE tablename = 'mg2_accounts' AND indexname LIKE 'ix_%' ORDER BY 1"
          : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'mg2_accounts' ORDER BY 1"
      return (await engine.execute(text(sql))).all().map((row) => row[0])
    }
    expect(await indexNames()).toEqual(["ix_mg2_accounts_live", "ix_mg2_accounts_lower"])

    expect(await folder.migrator().compare(accounts(false))).toEqual([])
    const { changes } = await folder.write(accounts(true), "a note")
    expect(changes.flatMap((c) => c.upgrade.map((op) => op.kind))).toEqual(["addColumn"])
    await folder.migrator().upgrade()
    await folder.migrator().downgrade("-1")
    expect(await indexNames()).toEqual(["ix_mg2_accounts_live", "ix_mg2_accounts_lower"])
    // Still partial: two deleted rows may share an address, two live ones may not.
    await engine.execute(
      text(
        "INSERT INTO mg2_accounts (id, email, deleted) VALUES (1, 'a@x', true), (2, 'a@x', true), (3, 'a@x', NULL)",
      ),
    )
    await expect(
      engine.execute(text("INSERT INTO mg2_accounts (id, email, deleted) VALUES (4, 'a@x', NULL)")),
    ).rejects.toThrow()
    await folder.migrator().downgrade("base")
  })
})

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("rebuilds a table with its hand-made indexes, as written, except one the revision drops", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`hand-made-rebuild-${name}`)
    const revisions = [
      defineRevision({
        id: "4a4d0e000001",
        parent: null,
        message: "accounts with hand-made indexes",
        upgrade(op) {
          op.createTable("mg2_members", [
            { name: "id", type: Integer, primaryKey: true },
            { name: "email", type: String(50) },
            { name: "deleted", type: Boolean, nullable: true },
          ])
          op.execute("CREATE INDEX ix_mg2_members_lower ON mg2_members (lower(email))")
          op.execute("CREATE UNIQUE INDEX ix_mg2_members_live ON mg2_members (email) WHERE deleted IS NULL")
        },
        downgrade(op) {
          op.dropTable("mg2_members")
        },
      }),
      defineRevision({
        id: "4a4d0e000002",
        parent: "4a4d0e000001",
        message: "no lower-case index, emails longer (a rebuild)",
        upgrade(op) {
          op.dropIndex("ix_mg2_members_lower", "mg2_members")
          op.alterColumn("mg2_members", "email", { type: String(100) })
        },
        downgrade(op) {
          op.alterColumn("mg2_members", "email", { type: String(50) })
          op.execute("CREATE INDEX ix_mg2_members_lower ON mg2_members (lower(email))")
        },
      }),
    ]
    const migrator = new Migrator(engine, { revisions, versionTable: "mg2_version_hand_made" })
    await migrator.upgrade()
    const indexes = async () =>
      (
        await engine.execute(
          text(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'mg2_members' ORDER BY name",
          ),
        )
      )
        .all()
        .map((row) => row[0])
    expect(await indexes()).toEqual([
      "CREATE UNIQUE INDEX ix_mg2_members_live ON mg2_members (email) WHERE deleted IS NULL",
    ])
    await migrator.downgrade("-1")
    expect(await indexes()).toEqual([
      "CREATE UNIQUE INDEX ix_mg2_members_live ON mg2_members (email) WHERE deleted IS NULL",
      "CREATE INDEX ix_mg2_members_lower ON mg2_members (lower(email))",
    ])
    await migrator.downgrade("base")
  })

  it("leaves a full-text table and its shadow tables alone", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`fts-${name}`)
    const folder = revisionFolder(engine)
    folders.push(folder)
    const models = new MetaData()
    table(
      "mg2_docs",
      { id: column(Integer, { primaryKey: true }), body: column(String(200)) },
      { metadata: models },
    )
    const { id } = await folder.write(models, "docs")
    await folder.migrator().upgrade()
    await engine.execute(
      text("CREATE VIRTUAL TABLE mg2_docs_fts USING fts5(body, content='mg2_docs', content_rowid='id')"),
    )
    expect(await folder.migrator().compare(models)).toEqual([])
    // A revision that makes the FTS table by hand applies and undoes with it there.
    const withFts = defineRevision({
      id: "f75000000001",
      parent: id,
      message: "full text",
      upgrade(op) {
        op.addColumn("mg2_docs", { name: "title", type: String(20), nullable: true })
      },
      downgrade(op) {
        op.dropColumn("mg2_docs", "title")
      },
    })
    const written = (await folder.migrator().graph()).ordered
    const both = new Migrator(engine, { revisions: [...written, withFts] })
    await both.upgrade()
    await both.downgrade("-1")
    const tables = (
      await engine.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'mg2_docs_fts%' ORDER BY 1"))
    ).all()
    expect(tables.map((row) => row[0])).toEqual([
      "mg2_docs_fts",
      "mg2_docs_fts_config",
      "mg2_docs_fts_data",
      "mg2_docs_fts_docsize",
      "mg2_docs_fts_idx",
    ])
  })
})
