// Autogenerate as a developer runs it, for the tests: revisions written into a scratch folder by
// comparing models with the database, each on top of the last, and a Migrator that reads the folder
// anew (a Migrator loads its revisions once, so each stage takes a new one to see the file just written).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { revisionFileName, revisionsFolder } from "../../cli/revisions-folder.ts"
import type { Engine, MetaData } from "../../src/index.ts"
import { type Change, Migrator, newRevisionId, writeRevision } from "../../src/migrate.ts"

const MIGRATE_ENTRY = resolve(import.meta.dirname, "../../src/migrate.ts")

export interface RevisionFolder {
  /** A Migrator over the folder as it is now (on another database than the folder's when given one). */
  migrator(on?: Engine): Migrator
  /** Compares `metadata` with the database and writes the changes as a revision on top of the last. */
  write(metadata: MetaData, message: string): Promise<{ id: string; changes: Change[] }>
  /** Removes the folder. */
  remove(): void
}

export function revisionFolder(engine: Engine): RevisionFolder {
  const folder = mkdtempSync(join(tmpdir(), "ea-revisions-"))
  const migrator = (on = engine) => new Migrator(on, { revisions: revisionsFolder(folder) })
  let parent: string | null = null
  return {
    migrator,
    async write(metadata, message) {
      const id = newRevisionId()
      const changes = await migrator().compare(metadata)
      writeFileSync(
        join(folder, revisionFileName(id, message)),
        writeRevision({ id, parent, message, changes, importFrom: MIGRATE_ENTRY }),
      )
      parent = id
      return { id, changes }
    },
    remove: () => rmSync(folder, { recursive: true, force: true }),
  }
}
