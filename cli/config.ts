// The CLI's configuration: `edgealchemy.config.ts` (or `.json`) in the working directory, and the
// database URL from the environment. Example:
//
//   import { defineConfig } from "edgealchemy/migrate"
//   export default defineConfig({
//     migrations: "migrations",          // the revisions folder
//     models: "src/models.ts",           // exports `metadata`, or a `registry`, for autogenerate and check
//     url: "DATABASE_URL",               // the environment variable holding the URL (the default)
//   })
import { existsSync, readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import type { CliConfig } from "edgealchemy/migrate"
import { importModule } from "./revisions-folder.ts"

export interface LoadedConfig extends CliConfig {
  /** The folder the config file is in; relative paths start there. */
  readonly root: string
  readonly migrationsFolder: string
}

export const CONFIG_CANDIDATES = [
  "edgealchemy.config.ts",
  "edgealchemy.config.mts",
  "edgealchemy.config.mjs",
  "edgealchemy.config.js",
  "edgealchemy.config.json",
]

export async function loadConfig(cwd: string, explicit?: string): Promise<LoadedConfig> {
  const path = explicit
    ? resolve(cwd, explicit)
    : CONFIG_CANDIDATES.map((name) => resolve(cwd, name)).find(existsSync)
  if (path !== undefined && !existsSync(path)) throw new CliError(`No config file at ${path}`)
  if (path === undefined) {
    refuseBelowProjectConfig(cwd)
    return unconfigured(cwd)
  }
  const config = await readConfig(path)
  const root = dirname(path)
  return { ...config, root, migrationsFolder: resolve(root, config.migrations ?? "migrations") }
}

/**
 * Run from a folder inside a project (src/) whose config is beside its package.json, the defaults would
 * take src/migrations: no revision found, the database's revision unknown, a new revision written there.
 */
function refuseBelowProjectConfig(cwd: string): void {
  for (let dir = cwd; !existsSync(resolve(dir, "package.json")); ) {
    const parent = dirname(dir)
    if (parent === dir) return
    dir = parent
    const config = CONFIG_CANDIDATES.map((name) => resolve(dir, name)).find(existsSync)
    if (config) {
      throw new CliError(
        `No edgealchemy config in ${cwd}; the project's is ${config}: run the command in ${dir}, or pass --config ${config}`,
      )
    }
  }
}

/** The defaults, for a folder without a config file (and for `init`, which writes one). */
export function unconfigured(cwd: string): LoadedConfig {
  return { root: cwd, migrationsFolder: resolve(cwd, "migrations") }
}

async function readConfig(path: string): Promise<CliConfig> {
  if (path.endsWith(".json")) return JSON.parse(readFileSync(path, "utf8")) as CliConfig
  const module = (await importModule(path)) as { default?: CliConfig }
  if (!module.default || typeof module.default !== "object") {
    throw new CliError(`${path} must export default the configuration object ({ migrations, models, url })`)
  }
  return module.default
}

/** An error the CLI reports as one line, without a stack: bad usage, missing configuration. */
export class CliError extends Error {
  override name = "CliError"
}
