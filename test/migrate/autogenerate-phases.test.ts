// Autogenerate across tables that depend on each other's columns: a child's foreign key to a parent's
// unique code. The revision ran each table's changes together, in the order the models declare the
// tables, so with the parent first the parent's code was dropped while the child's key still used it
// (PostgreSQL: "other objects depend on it"), and with the child first the key was created before the
// unique constraint it needs ("no unique constraint matching given keys"). Changes now run phase by
// phase over every table: keys dropped before columns, unique constraints created before keys; and a
// new table's key to such a column comes after the column's table has changed.
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

function models(coded: boolean, childFirst: boolean): MetaData {
  const metadata = new MetaData()
  const parent = () =>
    table(
      "mg2_catalogs",
      {
        id: column(Integer, { primaryKey: true }),
        ...(coded ? { code: column(String(10), { nullable: true, unique: true }) } : {}),
      },
      { metadata },
    )
  const child = () =>
    table(
      "mg2_entries",
      {
        id: column(Integer, { primaryKey: true }),
        catalog_code: coded
          ? column(String(10), { nullable: true, foreignKey: "mg2_catalogs.code" })
          : column(String(10), { nullable: true }),
      },
      { metadata },
    )
  if (childFirst) {
    child()
    parent()
  } else {
    parent()
    child()
  }
  return metadata
}

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
  it.each([
    ["the child", true],
    ["the parent", false],
  ] as const)("adds and drops a key to a new unique column, %s declared first", async (_, childFirst) => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`phases-${name}-${childFirst}`)
    const folder = revisionFolder(engine)
    folders.push(folder)
    await folder.write(models(false, childFirst), "catalogs and entries")
    await folder.migrator().upgrade()
    await engine.execute(text("INSERT INTO mg2_catalogs (id) VALUES (1)"))
    await engine.execute(text("INSERT INTO mg2_entries (id, catalog_code) VALUES (1, NULL)"))

    await folder.write(models(true, childFirst), "entries point at catalog codes")
    await folder.migrator().upgrade()
    expect(await folder.migrator().compare(models(true, childFirst))).toEqual([])
    await engine.execute(text("UPDATE mg2_catalogs SET code = 'c1'"))
    await engine.execute(text("UPDATE mg2_entries SET catalog_code = 'c1'"))
    await expect(
      engine.execute(text("INSERT INTO mg2_entries (id, catalog_code) VALUES (2, 'nope')")),
    ).rejects.toThrow()

    await folder.write(models(false, childFirst), "no more codes")
    await folder.migrator().upgrade()
    expect(await folder.migrator().compare(models(false, childFirst))).toEqual([])
    expect((await engine.execute(text("SELECT id, catalog_code FROM mg2_entries"))).all()).toHaveLength(1)
    // Back: the codes return empty (dropping them lost them), so no entry may point at one.
    await engine.execute(text("UPDATE mg2_entries SET catalog_code = NULL"))
    await folder.migrator().downgrade("-1")
    expect(await folder.migrator().compare(models(true, childFirst))).toEqual([])
    await folder.migrator().downgrade("base")
  })
  it("creates a new table whose key needs a unique column another table gets in the same revision", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`phases-new-table-${name}`)
    const folder = revisionFolder(engine)
    folders.push(folder)
    const catalogs = (coded: boolean) => {
      const metadata = new MetaData()
      table(
        "mg2_catalogs",
        {
          id: column(Integer, { primaryKey: true }),
          ...(coded ? { code: column(String(10), { nullable: true, unique: true }) } : {}),
        },
        { metadata },
      )
      if (coded)
        table(
          "mg2_links",
          {
            id: column(Integer, { primaryKey: true }),
            catalog_code: column(String(10), { foreignKey: "mg2_catalogs.code" }),
          },
          { metadata },
        )
      return metadata
    }
    await folder.write(catalogs(false), "catalogs")
    await folder.migrator().upgrade()
    const { changes } = await folder.write(catalogs(true), "codes, and links to them")
    expect(changes.flatMap((c) => c.upgrade.map((op) => op.kind))).toEqual([
      "createTable",
      "addColumn",
      "createUniqueConstraint",
      "createForeignKey",
    ])
    await folder.migrator().upgrade()
    expect(await folder.migrator().compare(catalogs(true))).toEqual([])
    await engine.execute(text("INSERT INTO mg2_catalogs (id, code) VALUES (1, 'c1')"))
    await engine.execute(text("INSERT INTO mg2_links (id, catalog_code) VALUES (1, 'c1')"))
    await expect(
      engine.execute(text("INSERT INTO mg2_links (id, catalog_code) VALUES (2, 'no')")),
    ).rejects.toThrow()
    await folder.migrator().downgrade("base")
  })
})
