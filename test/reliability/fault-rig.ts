// The reliability suite's own databases behind fault proxies: a fresh PostgreSQL database behind a
// neon-local of its own, a libsql-local of its own, and a fault proxy in
// front of each, so a suite can fault any round trip and then count exactly what it left open (no
// other test shares these endpoints or this database).
import pg from "pg"
import ws from "ws"
import { createEngine, type Engine } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { type FaultProxy, startFaultProxy } from "../../tools/fault-proxy/index.ts"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { createScratchDatabase, pgUrl, reachPostgres } from "../setup/postgres.ts"

export type FaultedTransport = "neon-http" | "neon-websocket" | "libsql-http"
export const FAULTED_TRANSPORTS: readonly FaultedTransport[] = ["neon-http", "neon-websocket", "libsql-http"]

/** The WebSocket clients' `application_name`: their backends are told apart from neon-local's pool. */
const APPLICATION = "edgealchemy-faults"
/** close() gives a silent server this long (the drivers' default is 1 s). */
export const CLOSE_TIMEOUT_MS = 300

export interface FaultRig {
  readonly neonProxy: FaultProxy
  readonly libsqlProxy: FaultProxy
  readonly libsqlLocal: LibsqlLocal
  readonly neonLocal: NeonLocal
  /** The PostgreSQL database's URL (trust auth, no proxy in between). */
  readonly postgresUrl: string
  proxyOf(transport: FaultedTransport): FaultProxy
  /** An engine whose traffic goes through the proxy under `scope`; `options` are the driver's. */
  engine(transport: FaultedTransport, scope: string, options?: { requestTimeoutMs?: number }): Engine
  /** An engine straight to the database, to check what is stored. */
  inspect(transport: FaultedTransport): Engine
  /** Streams open at libsql-local. */
  openStreams(): Promise<number>
  /** Backends of the WebSocket clients, and any backend idle inside a transaction, on the database. */
  backends(): Promise<{ webSocket: number; idleInTransaction: number }>
  /** Waits (up to `ms`) until nothing is left open at the stand-ins and the proxies; returns what is. */
  settled(ms?: number): Promise<OpenThings>
  stop(): Promise<void>
}

export interface OpenThings {
  streams: number
  webSocketBackends: number
  idleInTransaction: number
  proxyConnections: number
  proxyWebSockets: number
  hung: number
}

/** What `settled()` gives when nothing is left open. */
export const NOTHING_OPEN: OpenThings = {
  streams: 0,
  webSocketBackends: 0,
  idleInTransaction: 0,
  proxyConnections: 0,
  proxyWebSockets: 0,
  hung: 0,
}

/** The rig's default stream expiry: 10 minutes, longer than any test file runs. */
export const LONG_STREAM_EXPIRY_MS = 600_000

/**
 * For a suite whose faults lose a transaction's baton (an answer cut, a request failed or hung, a silent
 * server): only the server's expiry ends such a stream and frees its write lock, and this one does so
 * well before settled() gives up (3 s) and before a writer waiting on the lock gets SQLITE_BUSY (1 s).
 * Such a suite's own transactions then expire if its process pauses this long between two statements.
 */
export const SHORT_STREAM_EXPIRY_MS = 200

export interface FaultRigOptions {
  /** libsql-local's stream expiry (default LONG_STREAM_EXPIRY_MS; Turso's is 10 s). A transaction idle
   *  longer than this between two of its statements expires, which a loaded machine can make happen at
   *  any short expiry: STREAM_EXPIRED then fails a test that never meant to idle. Long, it also makes
   *  settled() see a stream a client left open, which a short one would clean up behind its back. A
   *  suite about expiry, or whose faults lose batons, asks for SHORT_STREAM_EXPIRY_MS. */
  streamExpiryMs?: number
}

export async function startFaultRig(options: FaultRigOptions = {}): Promise<FaultRig> {
  await reachPostgres(pgUrl())
  const database = await createScratchDatabase(pgUrl())
  const neonLocal = await startNeonLocal({ upstream: database.url, port: 0 })
  const libsqlLocal = await startLibsqlLocal({
    port: 0,
    streamExpiryMs: options.streamExpiryMs ?? LONG_STREAM_EXPIRY_MS,
    busyTimeoutMs: 1_000,
  })
  const neonProxy = await startFaultProxy({ target: neonLocal.url })
  const libsqlProxy = await startFaultProxy({ target: libsqlLocal.url })
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  const databaseName = new URL(database.url).pathname.slice(1)
  const connectionString = `${database.url}?application_name=${APPLICATION}`
  const proxyHost = neonProxy.url.replace(/^http:\/\//, "")

  const neonEngine = (mode: "http" | "websocket", scope: string, options: { requestTimeoutMs?: number }) =>
    createEngine(connectionString, {
      driver: neon({
        mode,
        fetchEndpoint: `${neonProxy.url}/s/${scope}/sql`,
        wsProxy: (host, port) => `${proxyHost}/s/${scope}/v2?address=${host}:${port}`,
        webSocketConstructor: ws,
        useSecureWebSocket: false,
        pipelineConnect: false,
        coalesceWrites: false,
        closeTimeoutMs: CLOSE_TIMEOUT_MS,
        ...options,
      }),
    })
  const inspectors = {
    postgres: createEngine(database.url, {
      driver: neon({ fetchEndpoint: `${neonLocal.url}/s/inspect/sql` }),
    }),
    sqlite: createEngine(`${libsqlLocal.url}/s/inspect/`, { driver: libsql() }),
  }

  const rig: FaultRig = {
    neonProxy,
    libsqlProxy,
    libsqlLocal,
    neonLocal,
    postgresUrl: database.url,
    proxyOf: (transport) => (transport === "libsql-http" ? libsqlProxy : neonProxy),
    engine: (transport, scope, options = {}) =>
      transport === "libsql-http"
        ? createEngine(`${libsqlProxy.url}/s/${scope}/`, {
            driver: libsql({ closeTimeoutMs: CLOSE_TIMEOUT_MS, ...options }),
          })
        : neonEngine(transport === "neon-http" ? "http" : "websocket", scope, options),
    inspect: (transport) => (transport === "libsql-http" ? inspectors.sqlite : inspectors.postgres),
    openStreams: async () => {
      const answer = await fetch(`${libsqlLocal.url}/__streams`)
      return ((await answer.json()) as { open: number }).open
    },
    backends: async () => {
      const result = await admin.query(
        `SELECT count(*) FILTER (WHERE application_name = $2)::int AS "webSocket",
                count(*) FILTER (WHERE state LIKE 'idle in transaction%')::int AS "idleInTransaction"
           FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [databaseName, APPLICATION],
      )
      return result.rows[0] as { webSocket: number; idleInTransaction: number }
    },
    settled: async (ms = 3_000) => {
      const deadline = Date.now() + ms
      for (;;) {
        const open = await openThings(rig)
        if (Object.values(open).every((n) => n === 0) || Date.now() > deadline) return open
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    stop: async () => {
      await admin.end()
      await Promise.all([neonProxy.stop(), libsqlProxy.stop()])
      await Promise.all([neonLocal.stop(), libsqlLocal.stop()])
      await database.drop()
    },
  }
  return rig
}

async function openThings(rig: FaultRig): Promise<OpenThings> {
  const [streams, backends] = await Promise.all([rig.openStreams(), rig.backends()])
  const proxies = [rig.neonProxy.open(), rig.libsqlProxy.open()]
  return {
    streams,
    webSocketBackends: backends.webSocket,
    idleInTransaction: backends.idleInTransaction,
    proxyConnections: proxies.reduce((sum, open) => sum + open.tcpConnections, 0),
    proxyWebSockets: proxies.reduce((sum, open) => sum + open.webSockets, 0),
    hung: proxies.reduce((sum, open) => sum + open.hung, 0),
  }
}

/**
 * How long a close, or a call a close or fault ends, may take before `within` calls it hung. What it
 * guards against never settles at all (a close awaiting an answer a silent server never sends), and a
 * loaded machine can stall this process for a second or more: a limit near CLOSE_TIMEOUT_MS would fail
 * a close that was only slow.
 */
export const HANG_DEADLINE_MS = 5_000

/** Rejects (rather than hangs) when `work` has not settled after `ms`. */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}
