// `migrate init`: what Alembic's `alembic init` gives a new project, the config and the revisions
// folder, so that the next command can be `revision --autogenerate`. It writes the README's config
// (examples/edgealchemy.config.ts) and never overwrites one.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import type { Arguments } from "./arguments.ts"
import { CliError, CONFIG_CANDIDATES, type LoadedConfig } from "./config.ts"
import type { CliIo } from "./main.ts"

export const CONFIG_TEMPLATE = `// edgealchemy.config.ts, beside package.json: what \`npx edgealchemy migrate\` reads.
import { defineConfig } from "edgealchemy/migrate"

export default defineConfig({
  migrations: "migrations", // the revisions folder (the default)
  models: "src/models.ts", // exports the models' \`metadata\` (or their \`registry\`)
  url: "DATABASE_URL", // the environment variable with the database URL (the default)
})
`

export async function init(_args: Arguments, config: LoadedConfig, io: CliIo): Promise<number> {
  const existing = CONFIG_CANDIDATES.map((name) => join(io.cwd, name)).find(existsSync)
  if (existing) throw new CliError(`${relative(io.cwd, existing)} exists already: init writes a new one only`)
  writeFileSync(join(io.cwd, "edgealchemy.config.ts"), CONFIG_TEMPLATE)
  mkdirSync(config.migrationsFolder, { recursive: true })
  io.out("Created edgealchemy.config.ts and migrations/")
  if (!isEsmProject(io.cwd))
    io.out('Note: the config and the revisions are ES modules: add "type": "module" to package.json')
  io.out("Next: point `models` at the module that exports your models' metadata, then")
  io.out('  DATABASE_URL=... npx edgealchemy migrate revision -m "first tables" --autogenerate')
  return 0
}

/** Whether package.json beside makes .ts files ES modules, which the config's `export default` needs. */
function isEsmProject(cwd: string): boolean {
  const manifest = join(cwd, "package.json")
  if (!existsSync(manifest)) return false
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: unknown }).type === "module"
  } catch {
    return false
  }
}
