// Revisions from a folder of TypeScript files, for the CLI (Node only). Files are imported in name
// order; each must default-export a revision (`defineRevision({...})`).
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { type RevisionProvider, revisionOf } from "edgealchemy/migrate"
import { CliError } from "./config.ts"

const REVISION_FILE = /^[0-9a-f]{4,}_.*\.(ts|mts|js|mjs)$/

export function revisionsFolder(folder: string): RevisionProvider {
  return {
    load: async () => {
      const files = revisionFiles(folder)
      return Promise.all(
        files.map(async (file) => {
          const path = resolve(folder, file)
          const module = await importModule(path)
          return revisionOf(module as never, path)
        }),
      )
    },
  }
}

const SCRIPT = /\.(ts|mts|js|mjs)$/

/**
 * The revision files in a folder, sorted; none when the folder does not exist yet. A script named
 * otherwise is not one (a helper, say), unless it defines a revision: then its name is a mistake that
 * would leave the revision unapplied without a word, and it is refused.
 */
export function revisionFiles(folder: string): string[] {
  let names: string[]
  try {
    names = readdirSync(folder)
  } catch {
    return []
  }
  for (const name of names) {
    if (REVISION_FILE.test(name) || !SCRIPT.test(name) || name.endsWith(".d.ts")) continue
    if (readFileSync(join(folder, name), "utf8").includes("defineRevision(")) {
      throw new CliError(
        `${join(folder, name)} defines a revision, but revision files are named by their id: <id>_<message>.ts ` +
          "(as `migrate revision` writes them); rename it, or it is never applied",
      )
    }
  }
  return names.filter((name) => REVISION_FILE.test(name)).sort()
}

/**
 * Imports a TypeScript module. Node decides ESM or CommonJS for a `.ts` file by the nearest
 * package.json; revisions are ESM, so outside a `"type": "module"` package they must be `.mts`.
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_REQUIRE_CYCLE_MODULE") {
      throw new CliError(
        `${path} was loaded as CommonJS: add "type": "module" to the project's package.json, or rename it to .mts`,
      )
    }
    throw error
  }
}

/** `.ts` in an ESM package (the nearest package.json says `"type": "module"`), `.mts` elsewhere. */
export function revisionExtension(folder: string): ".ts" | ".mts" {
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json")
    if (existsSync(manifest)) {
      const { type } = JSON.parse(readFileSync(manifest, "utf8")) as { type?: unknown }
      return type === "module" ? ".ts" : ".mts"
    }
    if (dirname(dir) === dir) return ".mts"
  }
}

/** `3f9a2c1b7d4e_add_user_bio.ts` for id and message. */
export function revisionFileName(id: string, message: string, extension = ".ts"): string {
  const slug = message
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "")
    .slice(0, 40)
  return `${id}_${slug || "revision"}${extension}`
}
