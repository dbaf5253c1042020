// A column's type narrowed by a model change (String(40) made String(8)) over rows longer than the
// new length. On PostgreSQL the revision altered the type with USING "name"::VARCHAR(8), an explicit
// cast, which cuts a longer value to its first 8 characters: the upgrade succeeded and the rest of
// every long value was gone. It now alters without USING for character types, so PostgreSQL refuses
// the long values and the revision is rolled back whole; SQLite, whose VARCHAR has no length, keeps
// them as they are. Widening, and a number made text, still convert.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { column, Integer, MetaData, String, table, text } from "../../src/index.ts"
import { RevisionFailedError } from "../../src/migrate.ts"
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

function labels(nameLength: number, codeAsText: boolean): MetaData {
  const metadata = new MetaData()
  table(
    "mg2_labels",
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(nameLength)),
      code: codeAsText ? column(String(12)) : column(Integer),
    },
    { metadata },
  )
  return metadata
}

const LONG = "a name of twenty-six chars"

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
  it("never cuts a value to a narrowed length: PostgreSQL refuses it, SQLite keeps it", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`narrowed-${name}`)
    const folder = revisionFolder(engine)
    folders.push(folder)
    await folder.write(labels(40, false), "labels")
    await folder.migrator().upgrade()
    await engine.execute(text(`INSERT INTO mg2_labels (id, name, code) VALUES (1, '${LONG}', 42)`))
    const rows = async () => (await engine.execute(text("SELECT id, name, code FROM mg2_labels"))).all()

    const { id } = await folder.write(labels(8, true), "short names, codes as text")
    if (target.dialect === "postgresql") {
      const error = await folder
        .migrator()
        .upgrade()
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RevisionFailedError)
      // The guard before the ALTER names the value (PostgreSQL would say "value too long").
      expect((error as Error).message).toContain(
        `to VARCHAR(8) would change its values (${LONG} would become ${LONG.slice(0, 8)})`,
      )
      expect(await rows()).toEqual([[1, LONG, 42]])
      await engine.execute(text("UPDATE mg2_labels SET name = 'short'"))
      await folder.migrator().upgrade()
      expect(await rows()).toEqual([[1, "short", "42"]])
    } else {
      await folder.migrator().upgrade()
      expect(await rows()).toEqual([[1n, LONG, "42"]])
    }
    expect(await folder.migrator().current()).toEqual([id])
    await folder.migrator().downgrade("base")
  })
})
