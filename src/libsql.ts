// edgealchemy/libsql: the Turso driver (libSQL over HTTP), for Workers and Node. Its `createEngine` is
// the engine for `libsql://`, `https://` and `http://` URLs:
// `createEngine(env.DATABASE_URL, { authToken: env.DATABASE_AUTH_TOKEN })`.
import { sqlite } from "./dialects/sqlite/dialect.ts"
import type { LibsqlOptions } from "./drivers/libsql/driver.ts"
import { libsql as libsqlDriver } from "./drivers/libsql/web.ts"
import { type EngineDriver, engineFactory, withDialect } from "./engine/engine.ts"

export type { LibsqlOptions }

/** The libSQL driver: `createEngine(url, { driver: libsql({ authToken }) })` from the main entry. */
export function libsql(options: LibsqlOptions = {}): EngineDriver {
  return withDialect(libsqlDriver(options), sqlite)
}

export const createEngine = engineFactory<LibsqlOptions>(libsql)
