// The worker's configuration (wrangler.toml [vars], .dev.vars, `wrangler secret put`) and the engine
// it describes. One engine per configuration per isolate: engines hold no connection.

import { engineCache } from "../src/hono.ts"
import { createEngine, type Engine } from "../src/index.ts"
import { libsql } from "../src/libsql.ts"
import { neon } from "../src/neon.ts"

export interface Bindings {
  /** `postgresql://...` (Neon) or `libsql://`, `https://`, `http://` (Turso / libSQL). */
  DATABASE_URL: string
  /** The libSQL auth token (Turso); a secret. */
  DATABASE_AUTH_TOKEN?: string
  /** The HMAC key of bearer tokens; a secret. */
  AUTH_SECRET?: string
  /**
   * Local development only: Neon's SQL-over-HTTP endpoint (`http://127.0.0.1:4444/sql`), for the local
   * Neon endpoint. Unset in production, where the driver derives it from the database host.
   */
  NEON_FETCH_ENDPOINT?: string
}

/**
 * A request's database round trip that has no answer after this long fails (503) instead of holding
 * the reader until the platform gives up: the blog's statements take milliseconds.
 */
const REQUEST_TIMEOUT_MS = 10_000

const engines = engineCache(
  (env: Bindings) =>
    [env.DATABASE_URL, env.DATABASE_AUTH_TOKEN ?? "", env.NEON_FETCH_ENDPOINT ?? ""].join("\n"),
  (env: Bindings) =>
    createEngine(env.DATABASE_URL, {
      drivers: [
        neon({ ...neonOptions(env.NEON_FETCH_ENDPOINT), requestTimeoutMs: REQUEST_TIMEOUT_MS }),
        libsql({
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
          ...(env.DATABASE_AUTH_TOKEN ? { authToken: env.DATABASE_AUTH_TOKEN } : {}),
        }),
      ],
    }),
)

export function engineFor(env: Bindings): Engine {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set: see .dev.vars.example")
  return engines.get(env)
}

/**
 * A local Neon endpoint speaks plain HTTP and WebSocket on one port, and logs clients in itself as Neon
 * does, so the driver's own settings (pipelined password) work against it unchanged.
 */
function neonOptions(fetchEndpoint: string | undefined) {
  if (!fetchEndpoint) return {}
  const base = new URL(fetchEndpoint)
  const prefix = `${base.host}${base.pathname.replace(/\/sql$/, "")}`
  return {
    fetchEndpoint,
    wsProxy: (host: string, port: number | string) => `${prefix}/v2?address=${host}:${port}`,
    useSecureWebSocket: base.protocol === "https:",
  }
}
