// Revisions from a folder of TypeScript files, for the CLI (Node only). Files are imported in name
// order; each must default-export a revision (`defineRevision({...})`).
import { readdirSync } from "node:fs"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { type RevisionProvider, revisionOf } from "../src/migrate.ts"

const REVISION_FILE = /^[0-9a-f]{4,}_.*\.(ts|mts|js|mjs)$/

export function revisionsFolder(folder: string): RevisionProvider {
  return {
    load: async () => {
      const files = revisionFiles(folder)
      return Promise.all(
        files.map(async (file) => {
          const path = resolve(folder, file)
          const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>
          return revisionOf(module as never, path)
        }),
      )
    },
  }
}

/** The revision files in a folder, sorted; none when the folder does not exist yet. */
export function revisionFiles(folder: string): string[] {
  try {
    return readdirSync(folder)
      .filter((name) => REVISION_FILE.test(name))
      .sort()
  } catch {
    return []
  }
}

/** `3f9a2c1b7d4e_add_user_bio.ts` for id and message. */
export function revisionFileName(id: string, message: string): string {
  const slug = message
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "")
    .slice(0, 40)
  return join(`${id}_${slug || "revision"}.ts`)
}
