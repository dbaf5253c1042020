// libsql-local: a local stand-in for Turso (sqld), speaking Hrana over HTTP to the real
// `@libsql/client/web`, over one SQLite file through the native `libsql` package.
//
//   const local = await startLibsqlLocal({ port: 0, authToken: "t" })
//   const client = createClient({ url: local.url, authToken: "t", intMode: "bigint" })
//   ...
//   await local.stop()

import { setMaxListeners } from "node:events"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { Faults } from "../faults.ts"
import { AnswerBytes, DEFAULT_MAX_TOTAL_RESPONSE_BYTES } from "./answer-bytes.ts"
import { ConnectionPool } from "./connection-pool.ts"
import { createHranaServer } from "./http-server.ts"
import { Lane } from "./lane.ts"
import type { HranaService } from "./pipeline.ts"
import { type LibsqlStats, StatsBook } from "./stats.ts"
import { DEFAULT_MAX_CONCURRENT_CONNECTIONS, StreamRegistry } from "./streams.ts"
import { serveHranaWebSockets } from "./websocket.ts"
import { DEFAULT_TRANSACTION_TIMEOUT_MS, WriteLock } from "./write-lock.ts"

export type { LibsqlStats } from "./stats.ts"

/** Far beyond any statement a client waits for, yet a runaway one does not spin for good. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000

export interface LibsqlLocalOptions {
  /** The database file. Absent: a temporary file, deleted on stop (`:memory:` cannot be shared between
   *  the per-stream connections). */
  path?: string
  /** 0 picks a free port. */
  port?: number
  host?: string
  /** When set, requests must carry `Authorization: Bearer <authToken>` (HTTP 401 otherwise). */
  authToken?: string
  /** An idle stream is closed after this long and its transaction rolled back (sqld: 10 s). */
  streamExpiryMs?: number
  /** How many streams may hold a connection at once (sqld's SQLD_MAX_CONCURRENT_CONNECTIONS, default
   *  128). A new stream waits 1 s for one to end (close, or expire), then gets sqld's HTTP 429. Each
   *  connection is a thread of its own, about 9 MB: this bounds what a client that leaks streams costs. */
  maxConcurrentConnections?: number
  /** How long a new stream waits for a connection to come free before the 429 (sqld: 1 s). */
  connectionWaitMs?: number
  /** How long a statement waits for a locked database before SQLITE_BUSY is reported. A holder of the
   *  write lock whose transactionTimeoutMs is up loses it to the waiter first. */
  busyTimeoutMs?: number
  /** How long a transaction may hold the write lock, counted from the statement that took it (sqld's
   *  TXN_TIMEOUT: 5 s): a writer waiting then takes it, and the transaction's next statement fails with
   *  TRANSACTION_TIMEOUT. */
  transactionTimeoutMs?: number
  /** A statement running longer is interrupted and fails with SQLITE_INTERRUPT (default 60 s; 0: no
   *  limit). A statement whose client goes away is interrupted at once, as on sqld. */
  statementTimeoutMs?: number
  /** How long a request's body may take to arrive whole (default 30 s; 0: no limit). A client that
   *  sends its headers and then stalls, or trickles its body, is answered 408 and cut off; no stream or
   *  connection is taken before the whole body is in. */
  bodyTimeoutMs?: number
  /** How long a request's headers may take to arrive whole (default 30 s, as sqld's hyper; 0: no
   *  limit). A client that trickles them is answered 408 and cut off. The whole request has this and
   *  bodyTimeoutMs together. */
  headersTimeoutMs?: number
  /** How many bytes of answers (rows read, not yet sent) libsql-local holds at once across requests
   *  (default 256 MiB; sqld bounds what it builds at once with --max-total-response-size, 32 MB). A
   *  statement whose rows would pass it fails with RESPONSE_TOO_LARGE, as one past its own 10 MB. */
  maxTotalResponseBytes?: number
  /** How many bytes of SQL texts the WebSocket clients store (store_sql), all sockets together
   *  (default 256 MiB; sqld bounds a socket's texts by count only, 150, each of any size). Past it
   *  store_sql fails with SQL_STORE_TOO_LARGE. */
  maxStoredSqlBytes?: number
  /** How many client sockets may be open at once, HTTP and WebSocket alike (default 1,000; sqld sets
   *  no limit). One past them is answered HTTP 503 with the reason as it connects, and closed. */
  maxSockets?: number
  /** How long an HTTP connection stays open with no request on it, kept alive after an answer or new
   *  and silent, before it is closed (default 60 s; 0: no limit, as sqld). Not advertised to clients:
   *  theirs are shorter (fetch's and @libsql/client's: 4 s). A WebSocket is not closed for being idle. */
  keepAliveTimeoutMs?: number
}

export interface LibsqlLocal {
  /** `http://HOST:PORT`, the client's `url`. */
  url: string
  port: number
  /** The database file in use. */
  path: string
  /** Counters, global or for one `/s/<scope>/` prefix. */
  stats(scope?: string): LibsqlStats
  resetStats(scope?: string): void
  /** Closes the listener, every stream and connection; deletes a temporary database. */
  stop(): Promise<void>
}

export async function startLibsqlLocal(options: LibsqlLocalOptions = {}): Promise<LibsqlLocal> {
  const host = options.host ?? "127.0.0.1"
  const temporaryDir = options.path === undefined ? mkdtempSync(join(tmpdir(), "libsql-local-")) : undefined
  const path = options.path ?? join(temporaryDir as string, "database.sqlite")
  const stopping = new AbortController()
  // Every request in flight listens for the server stopping.
  setMaxListeners(0, stopping.signal)
  const isStopping = () => stopping.signal.aborted

  let pool: ConnectionPool
  try {
    pool = await ConnectionPool.open(path)
  } catch (error) {
    if (temporaryDir) rmSync(temporaryDir, { recursive: true, force: true })
    // SQLite creates the file, not its folder: say so rather than its bare error code (14, CANTOPEN).
    const folder = dirname(resolve(path))
    const missing = existsSync(folder) ? "" : ` (its folder ${folder} does not exist: create it first)`
    throw new Error(`libsql-local could not open the database file ${path}${missing}: ${String(error)}`)
  }
  const service: HranaService = {
    answers: new AnswerBytes(options.maxTotalResponseBytes ?? DEFAULT_MAX_TOTAL_RESPONSE_BYTES),
    registry: new StreamRegistry(
      pool,
      options.streamExpiryMs ?? 10_000,
      options.maxConcurrentConnections ?? DEFAULT_MAX_CONCURRENT_CONNECTIONS,
      options.connectionWaitMs,
    ),
    stats: new StatsBook(),
    busy: { timeoutMs: options.busyTimeoutMs ?? 5_000, isStopping },
    lane: new Lane(isStopping),
    statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    writeLock: new WriteLock(options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS),
  }
  const inFlight = new Set<Promise<unknown>>()
  const server = createHranaServer(service, {
    authToken: options.authToken,
    inFlight,
    faults: new Faults(),
    stopping: stopping.signal,
    ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
    ...(options.headersTimeoutMs === undefined ? {} : { headersTimeoutMs: options.headersTimeoutMs }),
    ...(options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets }),
    ...(options.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeoutMs: options.keepAliveTimeoutMs }),
  })

  const webSockets = serveHranaWebSockets(server, service, {
    authToken: options.authToken,
    stopping: stopping.signal,
    ...(options.maxStoredSqlBytes === undefined ? {} : { maxStoredSqlBytes: options.maxStoredSqlBytes }),
  })

  const releaseResources = async () => {
    service.registry.closeAll()
    await pool.closeAll()
    if (temporaryDir) rmSync(temporaryDir, { recursive: true, force: true })
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject)
        resolve()
      })
    })
  } catch (error) {
    await releaseResources()
    throw new Error(`libsql-local could not listen on ${host}:${options.port ?? 0}: ${String(error)}`)
  }

  const port = (server.address() as AddressInfo).port
  let stopped: Promise<void> | undefined
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    path,
    stats: (scope) => service.stats.read(scope),
    resetStats: (scope) => service.stats.reset(scope),
    stop: () => {
      stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        // Connections with no request end now. Requests whose body has not arrived whole (a client that
        // stalled mid-body would hold stop() for good) are given up; running statements are
        // interrupted, and their requests answered SERVER_STOPPING.
        server.closeIdleConnections()
        stopping.abort()
        webSockets.close()
        while (inFlight.size > 0) await Promise.allSettled([...inFlight])
        server.closeAllConnections()
        await closed
        await releaseResources()
      })()
      return stopped
    },
  }
}
