// The layer rules of shared/DESIGN.md as data: which folder may import which. Lowest layer first; a
// layer imports only the layers before it, so nothing below `orm/` knows the ORM exists.

export type Layer =
  | "base"
  | "sql"
  | "dialects/postgresql"
  | "dialects/sqlite"
  | "drivers"
  | "drivers/neon"
  | "drivers/libsql"
  | "engine"
  | "orm"
  | "migrate"
  | "hono"
  | "entry"
  | "worker"
  | "migrations"

/** The package's public entry points; `worker/` and `migrations/` may import only these. */
export const ENTRY_POINTS = [
  "src/index.ts",
  "src/neon.ts",
  "src/libsql.ts",
  "src/libsql-node.ts",
  "src/hono.ts",
  "src/migrate.ts",
]

const DIALECTS: Layer[] = ["dialects/postgresql", "dialects/sqlite"]
const DRIVERS: Layer[] = ["drivers", "drivers/neon", "drivers/libsql"]

/** For each layer, the layers it may import (its own layer is always allowed). */
export const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  base: [],
  sql: ["base"],
  "dialects/postgresql": ["base", "sql"],
  "dialects/sqlite": ["base", "sql"],
  drivers: ["base"],
  "drivers/neon": ["base", "drivers"],
  "drivers/libsql": ["base", "drivers"],
  engine: ["base", "sql", ...DIALECTS, ...DRIVERS],
  orm: ["base", "sql", ...DIALECTS, ...DRIVERS, "engine"],
  migrate: ["base", "sql", ...DIALECTS, "engine"],
  hono: ["base", "sql", "engine", "orm"],
  entry: ["base", "sql", ...DIALECTS, ...DRIVERS, "engine", "orm", "migrate", "hono"],
  // The worker may apply its own revisions (statically imported: a worker has no filesystem).
  worker: ["entry", "migrations"],
  migrations: ["entry"],
}

/** npm packages a layer may import. Everything else in `src/` has no runtime dependency at all. */
export const MAY_IMPORT_PACKAGES: Partial<Record<Layer, readonly string[]>> = {
  "drivers/neon": ["@neondatabase/serverless"],
  "drivers/libsql": ["@libsql/client"],
  hono: ["hono"],
  worker: ["hono", "@hono/", "valibot"],
}

/** The layer a project file belongs to, or undefined when it is outside the checked tree. */
export function layerOf(file: string): Layer | undefined {
  if (ENTRY_POINTS.includes(file)) return "entry"
  if (file.startsWith("worker/")) return "worker"
  if (file.startsWith("migrations/")) return "migrations"
  if (!file.startsWith("src/")) return undefined
  if (file === "src/errors.ts" || file.startsWith("src/util/")) return "base"
  for (const layer of [...DIALECTS, "drivers/neon", "drivers/libsql"] as const) {
    if (file.startsWith(`src/${layer}/`)) return layer
  }
  const folder = file.split("/")[1]
  switch (folder) {
    case "sql":
    case "drivers":
    case "engine":
    case "orm":
    case "migrate":
    case "hono":
      return folder
    default:
      return undefined
  }
}
