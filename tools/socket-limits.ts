// How many client sockets a stand-in holds, and for how long an HTTP one may sit idle: one set of limits,
// defaults and words for libsql-local and neon-local, so the two agree. Without them a client could
// open thousands of sockets and leave them idle, and each was kept for good.
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import type { Socket } from "node:net"
import type { Duplex } from "node:stream"

/** Client sockets open at once (HTTP, kept alive or not, and WebSockets): far more than a developer's
 *  clients open (an HTTP client opens one per request it has in flight, a Pool one per connection),
 *  and each costs little, but a client that opened thousands and left them idle held them all for good.
 *  sqld (hyper) sets no limit; Neon's proxy refuses none: past 10,000 HTTP connections
 *  (--sql-over-http-client-conn-threshold) it closes one of them at random as a new one comes. */
export const DEFAULT_MAX_SOCKETS = 1_000
/**
 * How long an HTTP connection is kept open with no request on it: between requests when kept alive,
 * or before its first. Not said to the client (no `Keep-Alive: timeout=` header, as nginx's 75 s
 * default): clients keep to their own, shorter limits (Node's fetch, which the drivers use: 4 s), so no
 * request is sent on a socket the server is closing (what Node's default of 5 s, advertised or not,
 * caused for a client whose event loop lagged). sqld (hyper) closes none.
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 60_000
/** How long a refused socket (past maxSockets) is given to read the 503 and close before it is cut. */
const REFUSED_LINGER_MS = 2_000

/**
 * Node's own idle limit for `createServer`: off. Its default closed kept-alive connections after 5 s,
 * and a client whose event loop lagged past its own 4 s limit (a loaded test machine) sent a request on
 * a socket the server was closing, and it failed with "other side closed". limitSockets' far longer
 * one applies instead.
 */
export const NODE_KEEP_ALIVE = { keepAliveTimeout: 0 }

/** Answered 503 as it connected, past maxSockets: its request or upgrade is not served. */
export function refusedAtConnection(socket: Duplex): boolean {
  return socket.writableEnded
}

/**
 * At most `maxSockets` client sockets open at once: one past them is answered 503, saying so, as it
 * connects (before its request is read), and closed. A socket with no request on it for
 * `keepAliveTimeoutMs` (kept alive after its last answer, or new and silent; 0: no limit) is closed;
 * one that became a WebSocket is not. `server`'s request and upgrade handlers skip a refused socket
 * (refusedAtConnection).
 */
export function limitSockets(
  server: Server,
  name: string,
  { maxSockets, keepAliveTimeoutMs }: { maxSockets: number; keepAliveTimeoutMs: number },
): void {
  let open = 0
  /** Requests of each socket being answered. */
  const answering = new WeakMap<Socket, number>()
  const idle = (socket: Socket) => {
    if (keepAliveTimeoutMs > 0 && !socket.destroyed) socket.setTimeout(keepAliveTimeoutMs)
  }
  const refusal =
    `${name} already has ${maxSockets} client connections open (its limit, maxSockets, ` +
    `--max-sockets, is ${maxSockets}): close idle clients, or raise the limit`
  const refused =
    "HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-type: text/plain\r\n" +
    // sqld and Neon answer any origin: a page's fetch() past the limit can read why.
    "access-control-allow-origin: *\r\n" +
    `content-length: ${Buffer.byteLength(refusal)}\r\n\r\n${refusal}`
  server.on("connection", (socket: Socket) => {
    if (open >= maxSockets) {
      socket.on("error", () => undefined)
      socket.end(refused)
      // A client that neither reads it nor closes is cut off.
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref()
      return
    }
    open++
    socket.once("close", () => open--)
    // Node's own listener closes a socket whose time is out with no request or answer in progress.
    socket.on("timeout", () => {
      if (!answering.get(socket)) socket.destroy()
    })
    idle(socket)
  })
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket
    if (refusedAtConnection(socket)) return
    answering.set(socket, (answering.get(socket) ?? 0) + 1)
    socket.setTimeout(0)
    response.once("close", () => {
      const left = (answering.get(socket) ?? 1) - 1
      answering.set(socket, left)
      if (left === 0) idle(socket)
    })
  })
  server.on("upgrade", (_request: IncomingMessage, socket: Socket) => socket.setTimeout(0))
}
