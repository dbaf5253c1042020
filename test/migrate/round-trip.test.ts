// Autogenerate from an empty database to the blog models, upgrade, downgrade to base, upgrade again;
// a second autogenerate finds nothing. On PostgreSQL (Neon HTTP) and libSQL (Hrana HTTP).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { revisionFileName, revisionsFolder } from "../../cli/revisions-folder.ts"
import { introspect, Migrator, newRevisionId, writeRevision } from "../../src/migrate.ts"
import { registry } from "./blog-models.ts"
import { type MigrationDatabases, migrationDatabases } from "./databases.ts"

const MIGRATE_ENTRY = resolve(import.meta.dirname, "../../src/migrate.ts")
let databases: MigrationDatabases
const folders: string[] = []

beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(async () => {
  await databases.stop()
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
})

describe.each(["neon-http", "neon-websocket", "libsql-http", "libsql-embedded"] as const)(
  "round trip on %s",
  (name) => {
    it("autogenerates the blog schema, upgrades, downgrades to base, upgrades again, then finds nothing", async () => {
      const target = databases.targets.find((t) => t.name === name)
      if (!target) throw new Error(name)
      const folder = mkdtempSync(join(tmpdir(), "ea-revisions-"))
      folders.push(folder)
      const engine = target.engine(`round-trip-${name}`)
      const migrator = new Migrator(engine, { revisions: revisionsFolder(folder) })

      const changes = await migrator.compare(registry.metadata)
      expect(
        changes.flatMap((c) => c.upgrade.map((op) => op.kind)).filter((k) => k === "createTable"),
      ).toHaveLength(6)
      const id = newRevisionId()
      const source = writeRevision({
        id,
        parent: null,
        message: "blog tables",
        changes,
        importFrom: MIGRATE_ENTRY,
      })
      writeFileSync(join(folder, revisionFileName(id, "blog tables")), source)

      const applied = await migrator.upgrade()
      expect(applied.map((e) => [e.revision, e.direction])).toEqual([[id, "upgrade"]])
      expect(await migrator.current()).toEqual([id])
      expect(await migrator.compare(registry.metadata)).toEqual([])

      await migrator.downgrade("base")
      expect(await migrator.current()).toEqual([])
      const connection = engine.connect()
      const afterDowngrade = await introspect(connection, new Set(["edgealchemy_version"]))
      await connection.close()
      expect([...afterDowngrade.keys()]).toEqual([])

      await migrator.upgrade()
      expect(await migrator.current()).toEqual([id])
      expect(await migrator.compare(registry.metadata)).toEqual([])
    })
  },
)
