// How long the stand-ins wait for a request to arrive: its headers within `headersTimeoutMs`, its body
// within `bodyTimeoutMs` of them (each server's own timer, which answers a 408 saying so). Node's own
// limits were left at their defaults: headers 60 s, checked only every 30 s, and the whole request
// 300 s, so a client trickling its headers held a connection for up to 90 s. sqld's and Neon's proxy's
// HTTP server (hyper) gives headers 30 s, as the stand-ins give a body.
import type { Server } from "node:http"
import type { Duplex } from "node:stream"

/** hyper's header_read_timeout, which sqld and Neon's proxy keep; the same as a body's here. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000

/**
 * Sets `server`'s limits: headers within `headersTimeoutMs`, the whole request within that and
 * `bodyTimeoutMs` (a backstop for a body the server never reads, which Node reads and drops); 0 is no
 * limit. A client past them is answered 408 with `name`'s words, and its connection closed.
 */
export function limitRequestTime(
  server: Server,
  name: string,
  { headersTimeoutMs, bodyTimeoutMs }: { headersTimeoutMs: number; bodyTimeoutMs: number },
): void {
  server.headersTimeout = headersTimeoutMs
  // Node checks its limits at this pace (default 30 s), read as the server starts listening: a limit
  // is kept to within a quarter of itself. The property is not in Node's types.
  const checked = server as Server & { connectionsCheckingInterval: number }
  if (headersTimeoutMs > 0)
    checked.connectionsCheckingInterval = Math.min(1_000, Math.max(25, headersTimeoutMs / 4))
  server.requestTimeout = headersTimeoutMs > 0 && bodyTimeoutMs > 0 ? headersTimeoutMs + bodyTimeoutMs : 0
  const message =
    `Request not received in time (${name}'s limits: headers within ${headersTimeoutMs} ms, ` +
    `the whole request within ${server.requestTimeout} ms; 0 is none): send the request at once`
  // Node answers such clients as below, in its own words; a listener takes that over.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage
    if (socket.writable && !answering?.headersSent) {
      socket.write(
        error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? `HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(message)}\r\n\r\n${message}`
          : error.code === "HPE_HEADER_OVERFLOW"
            ? "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n"
            : error.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW"
              ? "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n"
              : "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n",
      )
    }
    socket.destroy(error)
  })
}
