// A SQLite foreign key declared without a name (as tools other than edgealchemy write them:
// `parent_id INTEGER REFERENCES parents (id) ON DELETE CASCADE`), whose ON DELETE the models change.
// Autogenerate could drop only a named key, so the revision added the models' key beside the old one:
// both held, and with the cascade taken out of the models, deleting a parent still deleted its children
// (the old key's cascade ran first, and the new key found nothing left to refuse). `check` then passed.
// Such a key is now known by the conventional name the models give it (fk_<table>_<columns>_<parent>),
// without a rebuild writing that name: the revision drops it and adds the models' key, and its
// downgrade brings the cascade back. An unnamed UNIQUE (`code TEXT UNIQUE`) the models no longer have
// stayed for the same reason (refusing rows the models allow, with check passing): it is dropped too.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { column, Integer, MetaData, Text, table, text } from "../../src/index.ts"
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

function family(cascade: boolean): MetaData {
  const metadata = new MetaData()
  table("r6u_parents", { id: column(Integer, { primaryKey: true }) }, { metadata })
  table(
    "r6u_children",
    {
      id: column(Integer, { primaryKey: true }),
      parent_id: column(Integer, {
        foreignKey: cascade ? { references: "r6u_parents.id", onDelete: "CASCADE" } : "r6u_parents.id",
      }),
    },
    { metadata },
  )
  return metadata
}

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("drops an unnamed foreign key whose ON DELETE the models change", async () => {
    const engine = target(name).engine("r6u")
    const run = async (sql: string) => (await engine.execute(text(sql))).all().map((r) => [...r].map(String))
    await run("CREATE TABLE r6u_parents (id INTEGER PRIMARY KEY)")
    await run(
      "CREATE TABLE r6u_children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES r6u_parents (id) ON DELETE CASCADE)",
    )
    await run("INSERT INTO r6u_parents VALUES (1), (2), (3)")
    await run("INSERT INTO r6u_children VALUES (10, 1), (20, 2), (30, 3)")
    const folder = revisionFolder(engine)
    try {
      expect(await folder.migrator().compare(family(true))).toEqual([])
      const { changes } = await folder.write(family(false), "children outlive no parent")
      expect(changes.flatMap((c) => c.upgrade.map((op) => op.kind))).toEqual([
        "dropConstraint",
        "createForeignKey",
      ])
      await folder.migrator().upgrade()
      // No cascade: a parent with children cannot go.
      const refused = await engine
        .execute(text("DELETE FROM r6u_parents WHERE id = 1"))
        .catch((e: unknown) => e)
      expect((refused as Error).message).toMatch(/FOREIGN KEY constraint failed/)
      expect(await run("SELECT id FROM r6u_children ORDER BY id")).toEqual([["10"], ["20"], ["30"]])
      expect(await folder.migrator().compare(family(false))).toEqual([])

      await folder.migrator().downgrade("base")
      expect(await folder.migrator().compare(family(true))).toEqual([])
      await run("DELETE FROM r6u_parents WHERE id = 2")
      expect(await run("SELECT id FROM r6u_children ORDER BY id")).toEqual([["10"], ["30"]])
    } finally {
      folder.remove()
    }
  })

  it("rebuilds a table with an unnamed key without naming it", async () => {
    const engine = target(name).engine("r6u-text")
    const run = async (sql: string) => (await engine.execute(text(sql))).all().map((r) => [...r].map(String))
    await run("CREATE TABLE r6u_parents (id INTEGER PRIMARY KEY)")
    await run(
      "CREATE TABLE r6u_children (id INTEGER PRIMARY KEY, parent_id INTEGER, FOREIGN KEY (parent_id) REFERENCES r6u_parents (id) ON DELETE CASCADE)",
    )
    const folder = revisionFolder(engine)
    try {
      const metadata = family(true)
      // The models make parent_id NOT NULL: a rebuild, which writes the key again as it was, unnamed.
      await folder.write(metadata, "parent required")
      await folder.migrator().upgrade()
      expect(await run("SELECT sql FROM sqlite_master WHERE name = 'r6u_children'")).toEqual([
        [
          "CREATE TABLE r6u_children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, FOREIGN KEY (parent_id) REFERENCES r6u_parents (id) ON DELETE CASCADE)",
        ],
      ])
    } finally {
      folder.remove()
    }
  })

  it("drops an unnamed UNIQUE the models no longer have", async () => {
    const engine = target(name).engine("r6u-unique")
    const run = async (sql: string) => (await engine.execute(text(sql))).all().map((r) => [...r].map(String))
    await run("CREATE TABLE r6u_parents (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE)")
    await run("CREATE TABLE r6u_children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL)")
    await run("INSERT INTO r6u_parents VALUES (1, 'a')")
    const metadata = new MetaData()
    table("r6u_parents", { id: column(Integer, { primaryKey: true }), code: column(Text) }, { metadata })
    table(
      "r6u_children",
      { id: column(Integer, { primaryKey: true }), parent_id: column(Integer) },
      { metadata },
    )
    const folder = revisionFolder(engine)
    try {
      const { changes } = await folder.write(metadata, "codes may repeat")
      expect(changes.map((c) => c.upgrade)).toEqual([
        [{ kind: "dropConstraint", table: "r6u_parents", name: "uq_r6u_parents_code" }],
      ])
      await folder.migrator().upgrade()
      await run("INSERT INTO r6u_parents VALUES (2, 'a')")
      expect(await folder.migrator().compare(metadata)).toEqual([])
      await run("DELETE FROM r6u_parents WHERE id = 2")
      await folder.migrator().downgrade("base")
      await expect(engine.execute(text("INSERT INTO r6u_parents VALUES (3, 'a')"))).rejects.toThrow(/UNIQUE/)
      expect(await run("SELECT id, code FROM r6u_parents")).toEqual([["1", "a"]])
    } finally {
      folder.remove()
    }
  })
})
