// edgealchemy/neon: the Neon driver (PostgreSQL over HTTP and WebSocket). Its `createEngine` is the
// engine for `postgresql://` URLs: `createEngine(env.DATABASE_URL, { echo: true })`. An app that runs
// on either database passes drivers to the main entry's instead: `{ drivers: [neon(), libsql()] }`.
import { neonDriver } from "./drivers/neon/driver.ts"
import { engineFactory } from "./engine/engine.ts"

export type { NeonOptions } from "./drivers/neon/settings.ts"
export { neonDriver as neon }

export const createEngine = engineFactory(neonDriver)
