// edgealchemy/libsql: the Turso driver (libSQL over HTTP), for Workers and Node. Its `createEngine` is
// the engine for `libsql://`, `https://` and `http://` URLs:
// `createEngine(env.DATABASE_URL, { authToken: env.DATABASE_AUTH_TOKEN })`.
import { libsql } from "./drivers/libsql/web.ts"
import { engineFactory } from "./engine/engine.ts"

export type { LibsqlOptions } from "./drivers/libsql/driver.ts"
export { libsql }

export const createEngine = engineFactory(libsql)
