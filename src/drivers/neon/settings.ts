// Per-engine settings of the Neon driver. The driver keeps `fetchEndpoint` and `fetchFunction` in
// process-wide globals; they are set just around each HTTP call (synchronously, while the driver reads
// them) so that two engines in one isolate never see each other's settings.
import { neonConfig } from "@neondatabase/serverless"

/**
 * Every option may be given as `undefined`, meaning not given (`{ fetchEndpoint: env.NEON_FETCH_ENDPOINT }`
 * under `exactOptionalPropertyTypes`, which `tsc --init` turns on).
 */
export interface NeonOptions {
  /** The SQL-over-HTTP endpoint, for a local or proxied Neon (`http://127.0.0.1:4444/sql`). */
  fetchEndpoint?: string | ((host: string, port: number | string) => string) | undefined
  /** The WebSocket proxy (`(host, port) => "127.0.0.1:4444/v2?address=" + host + ":" + port`). */
  wsProxy?: string | ((host: string, port: number | string) => string) | undefined
  /** Node 20 has no global WebSocket: pass `ws`. Workers need nothing. */
  webSocketConstructor?: unknown
  /** `false` for a local proxy without TLS. */
  useSecureWebSocket?: boolean | undefined
  /** Neon's pipelined cleartext password, saving round trips on connect; `false` for servers that ask. */
  pipelineConnect?: "password" | false | undefined
  /** Coalesce writes into one WebSocket frame (default true; costs about 1 ms per round trip locally). */
  coalesceWrites?: boolean | undefined
  /** Allow interactive transactions over WebSocket (default true). Without, only HTTP is used. */
  webSocket?: boolean | undefined
  /**
   * `"http"` (default): one HTTP request per statement or batch, a WebSocket only for interactive
   * transactions. `"websocket"`: every statement on the WebSocket, like a classic connection.
   */
  mode?: "http" | "websocket" | undefined
  /** How long close() waits for the server before it abandons the WebSocket (default 1000 ms). */
  closeTimeoutMs?: number | undefined
  /**
   * How long a round trip may wait for its answer before it fails with a ConnectionError and what it
   * waited on is abandoned (default: no limit). A commit that times out is an UnknownOutcomeError.
   */
  requestTimeoutMs?: number | undefined
}

type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/** Runs `call` with this engine's endpoint and fetch in the driver's globals, restoring them after. */
export function withHttpSettings<T>(options: NeonOptions, fetchFunction: FetchLike, call: () => T): T {
  const saved = { endpoint: neonConfig.fetchEndpoint, fetch: neonConfig.fetchFunction as unknown }
  if (options.fetchEndpoint) neonConfig.fetchEndpoint = options.fetchEndpoint
  neonConfig.fetchFunction = fetchFunction
  try {
    return call()
  } finally {
    neonConfig.fetchEndpoint = saved.endpoint
    neonConfig.fetchFunction = saved.fetch
  }
}

/** The per-client WebSocket settings, applied to one `Client` (these the driver keeps per client). */
export function applyWebSocketSettings(config: neonConfig, options: NeonOptions): void {
  for (const key of WEBSOCKET_SETTINGS) {
    if (options[key] !== undefined) (config as unknown as Record<string, unknown>)[key] = options[key]
  }
  if (options.useSecureWebSocket === false) config.pipelineTLS = false
}

const WEBSOCKET_SETTINGS = [
  "wsProxy",
  "webSocketConstructor",
  "useSecureWebSocket",
  "pipelineConnect",
  "coalesceWrites",
] as const
