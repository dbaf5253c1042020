// edgealchemy/neon: the Neon driver (PostgreSQL over HTTP and WebSocket).
// `createEngine(env.DATABASE_URL, { driver: neon() })`
export { neonDriver as neon } from "./drivers/neon/driver.ts"
export type { NeonOptions } from "./drivers/neon/settings.ts"
