// Autogenerate over tables whose foreign keys form a cycle (a user's best post, a post's author).
// The revision created each table with all its keys, so on PostgreSQL the first CREATE TABLE named a
// table not created yet and the upgrade failed ("relation does not exist"); dropping them failed the
// same way. A key that points forward now comes after every table (and goes before any), as
// SQLAlchemy's use_alter, on both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { column, Integer, MetaData, String, table, text } from "../../src/index.ts"
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

function authors(): MetaData {
  const metadata = new MetaData()
  table(
    "mg2_authors",
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(20)),
      best_book_id: column(Integer, { nullable: true, foreignKey: "mg2_books.id" }),
    },
    { metadata },
  )
  table(
    "mg2_books",
    {
      id: column(Integer, { primaryKey: true }),
      author_id: column(Integer, { foreignKey: { references: "mg2_authors.id", onDelete: "CASCADE" } }),
    },
    { metadata },
  )
  return metadata
}

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
  it("creates and drops tables on a foreign-key cycle, the keys added after and dropped before", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`cycles-${name}`)
    const folder = revisionFolder(engine)
    folders.push(folder)
    const first = await folder.write(authors(), "authors and books")
    expect(first.changes.flatMap((c) => c.upgrade.map((op) => op.kind))).toEqual([
      "createTable",
      "createTable",
      "createForeignKey",
    ])
    await folder.migrator().upgrade()
    expect(await folder.migrator().compare(authors())).toEqual([])
    const run = (sql: string) => engine.execute(text(sql))
    await run("INSERT INTO mg2_authors (id, name) VALUES (1, 'ann')")
    await run("INSERT INTO mg2_books (id, author_id) VALUES (10, 1)")
    await run("UPDATE mg2_authors SET best_book_id = 10 WHERE id = 1")
    // Both keys hold.
    await expect(run("UPDATE mg2_authors SET best_book_id = 99 WHERE id = 1")).rejects.toThrow()
    await expect(run("INSERT INTO mg2_books (id, author_id) VALUES (11, 99)")).rejects.toThrow()

    const gone = await folder.write(new MetaData(), "no more authors")
    expect(gone.changes.flatMap((c) => c.upgrade.map((op) => op.kind))).toEqual([
      "dropConstraint",
      "dropTable",
      "dropTable",
    ])
    await folder.migrator().upgrade()
    await folder.migrator().downgrade("-1")
    expect(await folder.migrator().compare(authors())).toEqual([])
    await folder.migrator().downgrade("base")
    expect(await folder.migrator().current()).toEqual([])
  })
})
