// The four transports of the conformance suite, as engines on the local stand-ins. Each test scope
// counts its own traffic at the stand-ins (`/s/<scope>/__stats`).
import { inject } from "vitest"
import { createEngine, type Engine, type EngineDriver } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { type NeonOptions, neon } from "../../src/neon.ts"

export type TransportName = "neon-http" | "neon-websocket" | "libsql-http" | "libsql-embedded"

export interface TransportFixture {
  readonly name: TransportName
  readonly dialect: "postgresql" | "sqlite"
  /** An engine whose traffic the stand-in counts under `scope`. */
  engine(scope: string, overrides?: Overrides): Engine
  /** The stand-in's counters for a scope; undefined for the embedded transport, which has none. */
  stats(scope: string): Promise<Stats | undefined>
  /** Makes the stand-in drop the next request of a scope (HTTP transports only). */
  dropNextRequest?(scope: string): Promise<void>
}

export interface Overrides {
  readonly neon?: Partial<NeonOptions>
  readonly echo?: (line: string) => void
  /** Connect with a wrong password or token. */
  readonly wrongCredentials?: boolean
}

export interface Stats {
  httpRequests: number
  statements: number
  wsConnections?: number
  wsRoundTrips?: number
}

/** Neon settings for the local endpoint; `webSocketConstructor` is `ws` in Node, absent in workerd. */
export function neonFixture(mode: "http" | "websocket", webSocketConstructor?: unknown): TransportFixture {
  const endpoint = inject("neon")
  const base = endpoint.httpUrl.replace(/^http:\/\//, "")
  return {
    name: mode === "http" ? "neon-http" : "neon-websocket",
    dialect: "postgresql",
    engine: (scope, overrides = {}) =>
      createEngine(
        overrides.wrongCredentials
          ? withPassword(endpoint.connectionString, "wrong")
          : endpoint.connectionString,
        {
          driver: neon({
            fetchEndpoint: `${endpoint.httpUrl}/s/${scope}/sql`,
            wsProxy: (host, port) => `${base}/s/${scope}/v2?address=${host}:${port}`,
            useSecureWebSocket: false,
            pipelineConnect: false,
            coalesceWrites: false,
            mode,
            ...(webSocketConstructor ? { webSocketConstructor } : {}),
            ...overrides.neon,
          }),
          ...(overrides.echo ? { echo: overrides.echo } : {}),
        },
      ),
    stats: (scope) => fetchStats(`${endpoint.httpUrl}/s/${scope}/__stats`),
    ...(mode === "http"
      ? { dropNextRequest: (scope: string) => armDrop(`${endpoint.httpUrl}/s/${scope}/__faults`) }
      : {}),
  }
}

export function libsqlHttpFixture(): TransportFixture {
  const endpoint = inject("libsql")
  return {
    name: "libsql-http",
    dialect: "sqlite",
    engine: (scope, overrides = {}) =>
      createEngine(`${endpoint.url}/s/${scope}/`, {
        driver: libsql({ authToken: overrides.wrongCredentials ? "wrong-token" : endpoint.authToken }),
        ...(overrides.echo ? { echo: overrides.echo } : {}),
      }),
    stats: (scope) => fetchStats(`${endpoint.url}/s/${scope}/__stats`),
    dropNextRequest: (scope) => armDrop(`${endpoint.url}/s/${scope}/__faults`),
  }
}

/** The embedded transport, given its driver by the Node test (the native client cannot load in workerd). */
export function libsqlEmbeddedFixture(driver: EngineDriver, file: string): TransportFixture {
  return {
    name: "libsql-embedded",
    dialect: "sqlite",
    engine: (_, overrides = {}) =>
      createEngine(`file:${file}`, { driver, ...(overrides.echo ? { echo: overrides.echo } : {}) }),
    stats: async () => undefined,
  }
}

async function fetchStats(url: string): Promise<Stats> {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`stats at ${url}: HTTP ${response.status}`)
  return (await response.json()) as Stats
}

function withPassword(connectionString: string, password: string): string {
  const url = new URL(connectionString)
  url.password = password
  return url.toString()
}

async function armDrop(url: string): Promise<void> {
  const response = await fetch(url, { method: "POST", body: JSON.stringify({ dropRequests: 1 }) })
  if (response.status !== 204) throw new Error(`arming a fault at ${url}: HTTP ${response.status}`)
}
