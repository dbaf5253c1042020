// edgealchemy/libsql-node: embedded libSQL files and `:memory:` databases, Node only.
// `createEngine("file:app.db", { driver: libsqlEmbedded() })`
export type { LibsqlOptions } from "./drivers/libsql/driver.ts"
export { libsqlEmbedded } from "./drivers/libsql/node.ts"
