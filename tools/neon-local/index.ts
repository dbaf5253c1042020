// neon-local: a local Neon endpoint in one process, in front of a real PostgreSQL. It serves Neon's
// SQL-over-HTTP (`POST /sql`) and its WebSocket proxy (`/v2?address=host:port`), checks the host and
// the password as Neon's proxy does (access.ts), and counts what passes (`GET /__stats`), also per
// scope (`/s/<scope>/...`). `npm run neon-local -- --port 4444` runs it; tests import `startNeonLocal`.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { WebSocketServer } from "ws"
import { Faults } from "../faults.ts"
import { DEFAULT_HEADERS_TIMEOUT_MS, limitRequestTime } from "../request-timeouts.ts"
import {
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_SOCKETS,
  limitSockets,
  NODE_KEEP_ALIVE,
  refusedAtConnection,
} from "../socket-limits.ts"
import { EndpointAccess } from "./access.ts"
import { bodyTimedOut, handleSql, MAX_REQUEST_BYTES, requestTooLarge } from "./sql-over-http.ts"
import { type NeonStats, StatsBook } from "./stats.ts"
import { DEFAULT_POOL_LIMITS, UpstreamPool } from "./upstream-pool.ts"
import {
  DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES,
  explainMessageTooBig,
  MAX_WEBSOCKET_MESSAGE_BYTES,
  proxyWebSocket,
} from "./websocket-proxy.ts"

export interface NeonLocalOptions {
  /** The PostgreSQL behind it, e.g. `postgres://postgres@127.0.0.1:5432/postgres`. */
  upstream: string
  port?: number
  host?: string
  /** The password clients must present (the upstream itself may trust everyone). Absent: the upstream
   *  URL's password, or none when it has none. */
  password?: string
  /** Accept any password: never what Neon does, only for throwaway setups. */
  anyPassword?: boolean
  /** How long a WebSocket client may take to log in before it is closed (default 60 s, as PostgreSQL). */
  loginTimeoutMs?: number
  /** Most PostgreSQL connections SQL over HTTP opens at once (default 20); requests beyond wait for one. */
  maxConnections?: number
  /** How long a request waits for one of them before it is refused with PostgreSQL's "sorry, too many
   *  clients already" (SQLSTATE 53300, HTTP 500 as from Neon; default 30 s). */
  queueTimeoutMs?: number
  /** How long a request's body may take to arrive whole (default 30 s; 0: no limit). A client that
   *  sends its headers and then stalls, or trickles its body, is answered 408 and cut off; it never
   *  holds a PostgreSQL connection, as none is taken before the whole body is in. */
  bodyTimeoutMs?: number
  /** How long a request's headers may take to arrive whole (default 30 s, as Neon's proxy's hyper; 0:
   *  no limit). A client that trickles them is answered 408 and cut off. The whole request has this
   *  and bodyTimeoutMs together. */
  headersTimeoutMs?: number
  /** How long one SQL-over-HTTP request (a query, or a batch) may run on its PostgreSQL connection, from
   *  when it has one (default 15 s, the default of Neon's --sql-over-http-timeout; 0: no limit, as
   *  Neon's proxy today). Past it what runs is cancelled (a batch rolled back) and the answer is Neon's
   *  504 "HTTP-Connection timed out, execution time exeeded N seconds". */
  httpQueryTimeoutMs?: number
  /** How many client sockets may be open at once, HTTP and WebSocket alike (default 1,000; Neon's proxy
   *  refuses none). One past them is answered HTTP 503 with the reason as it connects, and closed. */
  maxSockets?: number
  /** How long an HTTP connection stays open with no request on it, kept alive after an answer or new
   *  and silent, before it is closed (default 60 s; 0: no limit). Not advertised to clients: theirs are
   *  shorter (Node's fetch, which the driver uses: 4 s). A WebSocket is not closed for being idle. */
  keepAliveTimeoutMs?: number
  /** The longest WebSocket message a client may send (default 64 MiB, as Neon's proxy's frame limit;
   *  at most 2,147,483,647). The driver sends PostgreSQL messages whole, a query with its parameters in
   *  one. A longer one closes the socket with 1009 (Message Too Big) and the reason. */
  maxWebSocketMessageBytes?: number
}

export const DEFAULT_HTTP_QUERY_TIMEOUT_MS = 15_000

export { DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_MAX_SOCKETS, DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES }

/** Far more than any body takes on a local link (Node's own requestTimeout would wait 300 s). */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000

export interface NeonLocal {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly port: number
  /** `neonConfig.fetchEndpoint`, optionally counting under a scope. */
  fetchEndpoint(scope?: string): string
  /** The proxy part of `neonConfig.wsProxy`: `(host, port) => `${wsProxy()}?address=${host}:${port}``. */
  wsProxy(scope?: string): string
  stats(scope?: string): NeonStats
  resetStats(scope?: string): void
  stop(): Promise<void>
}

const SCOPED = /^\/s\/([^/]+)(\/.*)$/

/** Neon answers SQL over HTTP to any origin: a page's own fetch() may call it (proxy's serverless/mod.rs). */
const ANY_ORIGIN = { "access-control-allow-origin": "*" }

/** Neon's answer to a browser's preflight of `POST /sql`, headers word for word: the driver's own
 *  headers are allowed, except Neon-Batch-Deferrable, which Neon leaves out of the list. */
const PREFLIGHT = {
  allow: "OPTIONS, POST",
  ...ANY_ORIGIN,
  "access-control-allow-headers":
    "Authorization, Neon-Connection-String, Neon-Raw-Text-Output, Neon-Array-Mode, Neon-Pool-Opt-In, Neon-Batch-Read-Only, Neon-Batch-Isolation-Level",
  "access-control-max-age": "86400",
}

export async function startNeonLocal(options: NeonLocalOptions): Promise<NeonLocal> {
  const maxMessageBytes = options.maxWebSocketMessageBytes ?? DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES
  if (
    !Number.isInteger(maxMessageBytes) ||
    maxMessageBytes < 1 ||
    maxMessageBytes > MAX_WEBSOCKET_MESSAGE_BYTES
  )
    throw new RangeError(
      `maxWebSocketMessageBytes expects an integer from 1 to ${MAX_WEBSOCKET_MESSAGE_BYTES}, got ${maxMessageBytes}`,
    )
  const pool = new UpstreamPool(options.upstream, {
    maxConnections: options.maxConnections ?? DEFAULT_POOL_LIMITS.maxConnections,
    queueTimeoutMs: options.queueTimeoutMs ?? DEFAULT_POOL_LIMITS.queueTimeoutMs,
  })
  const upstreamUrl = new URL(options.upstream)
  const access = new EndpointAccess({
    upstream: upstreamUrl,
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.anyPassword ? { anyPassword: true } : {}),
  })
  const stats = new StatsBook()
  const faults = new Faults()
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes })
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS

  const server = createServer(NODE_KEEP_ALIVE, (request, response) => {
    if (refusedAtConnection(request.socket)) return
    serveHttp(request, response).catch((error: unknown) => {
      if (!(error instanceof BodyTimedOut)) return answer(response, 500, { message: String(error) })
      // The rest of the body may never come: the connection is not kept for a next request.
      answer(response, 408, bodyTimedOut(bodyTimeoutMs), { ...ANY_ORIGIN, connection: "close" })
      response.once("finish", () => request.destroy())
    })
  })
  limitRequestTime(server, "neon-local", {
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs,
  })
  limitSockets(server, "neon-local", {
    maxSockets: options.maxSockets ?? DEFAULT_MAX_SOCKETS,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  })
  async function serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { scope, path } = route(request.url ?? "/")
    if (path === "/__stats") {
      if (request.method === "GET") return answer(response, 200, stats.read(scope))
      if (request.method === "DELETE") {
        stats.reset(scope)
        return answer(response, 204, undefined)
      }
      return answer(response, 405, { message: "/__stats accepts GET and DELETE" })
    }
    if (path === "/__faults" && request.method === "POST" && scope !== undefined) {
      const { dropRequests } = JSON.parse((await readBody(request, bodyTimeoutMs))?.toString() || "{}") as {
        dropRequests?: number
      }
      faults.arm(scope, Number(dropRequests ?? 1))
      return answer(response, 204, undefined)
    }
    if (path === "/sql" && request.method === "OPTIONS") {
      response.writeHead(200, PREFLIGHT).end()
      return
    }
    if (path === "/sql" && request.method === "POST") {
      stats.count("httpRequests", scope)
      const signal = abandonment(response)
      const body = await readBody(request, bodyTimeoutMs, MAX_REQUEST_BYTES)
      if (body === undefined) return answer(response, 413, requestTooLarge(), ANY_ORIGIN)
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v[0] : v]),
      )
      const drop = scope !== undefined && faults.shouldDrop(scope)
      const result = await handleSql(pool, access, {
        headers,
        body,
        countStatement: () => stats.count("statements", scope),
        signal,
        rollBackAtEnd: drop,
        timeoutMs: options.httpQueryTimeoutMs ?? DEFAULT_HTTP_QUERY_TIMEOUT_MS,
      })
      if (drop) {
        request.socket.destroy()
        return
      }
      return answer(response, result.status, result.body, { ...ANY_ORIGIN, ...result.headers })
    }
    answer(response, 404, {
      message: `No endpoint ${path}: POST /sql, GET /v2 (WebSocket), GET|DELETE /__stats`,
    })
  }

  server.on("upgrade", (request, socket, head) => {
    if (refusedAtConnection(socket)) return
    const { scope, path, query } = route(request.url ?? "/")
    const address = query.get("address")
    if (path !== "/v2" || !address) {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n")
      return
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      explainMessageTooBig(ws, maxMessageBytes)
      proxyWebSocket(ws, {
        address,
        access,
        upstream: { host: pool.host, port: pool.port, password: decodeURIComponent(upstreamUrl.password) },
        count: (counter, by) => stats.count(counter, scope, by),
        loginTimeoutMs: options.loginTimeoutMs ?? 60_000,
        cancel: (key) => pool.cancelBackend(key),
      })
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve)
  })
  const { port } = server.address() as AddressInfo
  const host = options.host ?? "127.0.0.1"
  const url = `http://${host}:${port}`
  const prefix = (scope?: string) => (scope ? `/s/${encodeURIComponent(scope)}` : "")
  return {
    url,
    port,
    fetchEndpoint: (scope) => `${url}${prefix(scope)}/sql`,
    wsProxy: (scope) => `${host}:${port}${prefix(scope)}/v2`,
    stats: (scope) => stats.read(scope),
    resetStats: (scope) => stats.reset(scope),
    stop: async () => {
      // Each WebSocket session cancels what it runs as it closes; the pool's close() waits for those.
      const closed = [...sockets.clients].map(
        (client) => new Promise((resolve) => client.once("close", resolve)),
      )
      for (const client of sockets.clients) client.terminate()
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.all(closed),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 1_000)
        }),
      ])
      clearTimeout(timer)
      sockets.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await pool.close()
    },
  }
}

function route(rawUrl: string): { scope: string | undefined; path: string; query: URLSearchParams } {
  const url = new URL(rawUrl, "http://local")
  const scoped = SCOPED.exec(url.pathname)
  return {
    scope: scoped ? decodeURIComponent(scoped[1] as string) : undefined,
    path: scoped ? (scoped[2] as string) : url.pathname,
    query: url.searchParams,
  }
}

/** Aborted when the client goes away before its answer is sent: a client-side timeout, a cancelled
 *  fetch, a closed page. A response closes after it is sent, too; that one is no abandonment. */
function abandonment(response: ServerResponse): AbortSignal {
  const controller = new AbortController()
  response.once("close", () => {
    if (!response.writableFinished) controller.abort()
  })
  return controller.signal
}

/** The body did not arrive whole in time. */
class BodyTimedOut extends Error {}

/** The body's bytes; undefined once it passes `limit` bytes (the rest is read and dropped). */
function readBody(
  request: IncomingMessage,
  timeoutMs: number,
  limit = Number.POSITIVE_INFINITY,
): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size <= limit) chunks.push(chunk)
    }
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            request.off("data", onData)
            chunks.length = 0
            reject(new BodyTimedOut())
          }, timeoutMs)
        : undefined
    request.on("data", onData)
    request.on("end", () => {
      clearTimeout(timer)
      resolve(size <= limit ? Buffer.concat(chunks) : undefined)
    })
    request.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

function answer(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (body === undefined) {
    response.writeHead(status, headers).end()
    return
  }
  response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body))
}
