// edgealchemy/libsql: the Turso driver (libSQL over HTTP), for Workers and Node.
// `createEngine(env.DATABASE_URL, { driver: libsql({ authToken: env.DATABASE_AUTH_TOKEN }) })`
export type { LibsqlOptions } from "./drivers/libsql/driver.ts"
export { libsql } from "./drivers/libsql/web.ts"
