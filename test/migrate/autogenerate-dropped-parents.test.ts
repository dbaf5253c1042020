// Autogenerate when a table goes with the foreign keys (or the columns) that referenced it. The
// revision dropped the table first and the keys after, so PostgreSQL refused ("other objects depend on
// it") and SQLite's implicit delete broke the children's key: the revision could never apply. Tables
// now go last, once nothing that stays references them; undoing it brings the table back first.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { column, Integer, MetaData, table, text } from "../../src/index.ts"
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

/** Regions and their shops; then the regions go, the shops keeping a plain number or nothing. */
function models(shopRegion: "foreign key" | "plain" | "none"): MetaData {
  const metadata = new MetaData()
  if (shopRegion === "foreign key")
    table("mg2_regions", { id: column(Integer, { primaryKey: true }) }, { metadata })
  table(
    "mg2_shops",
    {
      id: column(Integer, { primaryKey: true }),
      ...(shopRegion === "foreign key"
        ? { region_id: column(Integer, { nullable: true, foreignKey: "mg2_regions.id" }) }
        : shopRegion === "plain"
          ? { region_id: column(Integer, { nullable: true }) }
          : {}),
    },
    { metadata },
  )
  return metadata
}

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
  it.each(["plain", "none"] as const)(
    "drops a referenced table after the key that referenced it (the column kept: %s)",
    async (kept) => {
      const target = databases.targets.find((t) => t.name === name)
      if (!target) throw new Error(name)
      const engine = target.engine(`dropped-parents-${name}-${kept}`)
      const folder = revisionFolder(engine)
      folders.push(folder)
      await folder.write(models("foreign key"), "regions and shops")
      await folder.migrator().upgrade()
      await engine.execute(text("INSERT INTO mg2_regions (id) VALUES (1)"))
      await engine.execute(text("INSERT INTO mg2_shops (id, region_id) VALUES (1, 1), (2, NULL)"))

      const { changes } = await folder.write(models(kept), "no more regions")
      expect(changes.at(-1)?.upgrade).toEqual([{ kind: "dropTable", table: "mg2_regions" }])
      await folder.migrator().upgrade()
      expect(await folder.migrator().compare(models(kept))).toEqual([])
      expect((await engine.execute(text("SELECT id FROM mg2_shops ORDER BY id"))).all()).toHaveLength(2)

      // Back: the regions table first, then the key over it (its rows went with the table).
      if (kept === "plain") await engine.execute(text("UPDATE mg2_shops SET region_id = NULL"))
      await folder.migrator().downgrade("-1")
      expect(await folder.migrator().compare(models("foreign key"))).toEqual([])
      await folder.migrator().downgrade("base")
    },
  )
})
