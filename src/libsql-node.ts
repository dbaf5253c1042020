// edgealchemy/libsql-node: embedded libSQL files and `:memory:` databases, Node only:
// `createEngine("file:app.db")`.
import { sqlite } from "./dialects/sqlite/dialect.ts"
import type { LibsqlOptions } from "./drivers/libsql/driver.ts"
import { libsqlEmbedded as embeddedDriver } from "./drivers/libsql/node.ts"
import { type EngineDriver, engineFactory, withDialect } from "./engine/engine.ts"

export type { LibsqlOptions }

/** The embedded libSQL driver: `createEngine("file:app.db", { driver: libsqlEmbedded() })` from the main entry. */
export function libsqlEmbedded(options: LibsqlOptions = {}): EngineDriver {
  return withDialect(embeddedDriver(options), sqlite)
}

export const createEngine = engineFactory<LibsqlOptions>(libsqlEmbedded)
