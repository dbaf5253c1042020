// edgealchemy/neon: the Neon driver (PostgreSQL over HTTP and WebSocket). Its `createEngine` is the
// engine for `postgresql://` URLs: `createEngine(env.DATABASE_URL, { echo: true })`. An app that runs
// on either database passes drivers to the main entry's instead: `{ drivers: [neon(), libsql()] }`.
import { postgresql } from "./dialects/postgresql/dialect.ts"
import { neonDriver } from "./drivers/neon/driver.ts"
import type { NeonOptions } from "./drivers/neon/settings.ts"
import { type EngineDriver, engineFactory, withDialect } from "./engine/engine.ts"

export type { NeonOptions }

/** The Neon driver: `createEngine(url, { driver: neon({ fetchEndpoint }) })` from the main entry. */
export function neon(options: NeonOptions = {}): EngineDriver {
  return withDialect(neonDriver(options), postgresql)
}

export const createEngine = engineFactory<NeonOptions>(neon)
