// edgealchemy/libsql-node: embedded libSQL files and `:memory:` databases, Node only:
// `createEngine("file:app.db")`.
import { libsqlEmbedded } from "./drivers/libsql/node.ts"
import { engineFactory } from "./engine/engine.ts"

export type { LibsqlOptions } from "./drivers/libsql/driver.ts"
export { libsqlEmbedded }

export const createEngine = engineFactory(libsqlEmbedded)
