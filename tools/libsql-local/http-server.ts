// HTTP routing: Hrana endpoints (optionally under `/s/<scope>/`), version checks, the stats endpoints,
// and bearer-token authentication answered the way sqld answers it.
import { timingSafeEqual } from "node:crypto"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { Faults } from "../faults.ts"
import { DEFAULT_HEADERS_TIMEOUT_MS, limitRequestTime } from "../request-timeouts.ts"
import { stringifyLikeSerde } from "../serde-json.ts"
import {
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_SOCKETS,
  limitSockets,
  NODE_KEEP_ALIVE,
  refusedAtConnection,
} from "../socket-limits.ts"
import { type HranaService, type HttpAnswer, handleCursor, handlePipeline } from "./pipeline.ts"

/** An answer that is no answer: the connection is dropped (fault injection). */
const DROP: HttpAnswer = { status: 0, contentType: "text/plain", body: "" }

export interface HttpOptions {
  authToken: string | undefined
  faults: Faults
  /** Every request handler's promise, so that stop() can wait for them. */
  inFlight: Set<Promise<unknown>>
  /** Aborted when the server stops: a body still being received is given up, a statement interrupted. */
  stopping: AbortSignal
  /** How long a request's body may take to arrive whole (DEFAULT_BODY_TIMEOUT_MS; 0: no limit). */
  bodyTimeoutMs?: number
  /** How long a request's headers may take to arrive whole (DEFAULT_HEADERS_TIMEOUT_MS; 0: no limit). */
  headersTimeoutMs?: number
  /** How many client sockets may be open at once (DEFAULT_MAX_SOCKETS). */
  maxSockets?: number
  /** How long a client socket may stay open with no request on it (DEFAULT_KEEP_ALIVE_TIMEOUT_MS; 0: no
   *  limit). */
  keepAliveTimeoutMs?: number
}

const MAX_BODY_BYTES = 64 * 1024 * 1024
/** Far more than any body takes on a local link; a client that stalls mid-body, or trickles it, is
 *  answered 408 and cut off after it (Node's own requestTimeout would wait 300 s). */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000
const SCOPED_PATH = /^\/s\/([^/]+)(\/.*)?$/
const PROTOBUF_REFUSAL =
  "libsql-local speaks Hrana over HTTP with the JSON encoding only (/v2/pipeline, /v3/pipeline, /v3/cursor); " +
  "Protobuf is not supported"

/**
 * sqld answers any origin (tower-http's CorsLayer with any origin, method and header): a page's own
 * fetch() may call it. Its preflight answer never reaches the routes below, nor their token check.
 */
const CORS = {
  "access-control-allow-origin": "*",
  vary: "origin, access-control-request-method, access-control-request-headers",
}
const PREFLIGHT = { ...CORS, "access-control-allow-methods": "*", "access-control-allow-headers": "*" }

export function createHranaServer(service: HranaService, options: HttpOptions): Server {
  const server = createServer(NODE_KEEP_ALIVE, (request, response) => {
    if (refusedAtConnection(request.socket)) return
    if (request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined) {
      response.writeHead(200, { ...PREFLIGHT, "content-length": 0 }).end()
      return
    }
    const handling = route(service, options, request, nobodyWaits(response, options.stopping))
      .catch((error: unknown): HttpAnswer => {
        // The client is gone or the server is stopping: there is nobody to answer.
        if (error instanceof BodyTimedOut) return timedOut(error.timeoutMs)
        if (error instanceof BodyNotReceived) return DROP
        console.error("libsql-local: request failed:", error)
        return text(500, `Internal error in libsql-local: ${error instanceof Error ? error.message : error}`)
      })
      .then((answer) => send(response, answer, request))
    options.inFlight.add(handling)
    void handling.finally(() => options.inFlight.delete(handling))
  })
  limitRequestTime(server, "libsql-local", {
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
  })
  limitSockets(server, "libsql-local", {
    maxSockets: options.maxSockets ?? DEFAULT_MAX_SOCKETS,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  })
  return server
}

async function route(
  service: HranaService,
  options: HttpOptions,
  request: IncomingMessage,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const url = new URL(request.url ?? "/", "http://localhost")
  const scoped = SCOPED_PATH.exec(url.pathname)
  const scope = scoped ? decodeURIComponent(scoped[1] as string) : undefined
  const path = scoped ? (scoped[2] ?? "/") : url.pathname
  const method = request.method ?? "GET"

  const endpoint = hranaEndpoint(path)
  if (endpoint) {
    if (method !== "POST") return text(405, `${path} accepts POST only`)
    service.stats.count("httpRequests", scope)
    const body = await readBody(request, options)
    if (body === undefined) return text(413, `Request body larger than ${MAX_BODY_BYTES} bytes`)
    const refusal = authenticate(options.authToken, request.headers.authorization)
    if (refusal) return refusal
    if (options.faults.shouldDrop(scope)) return DROP
    if (endpoint === "v3-protobuf") return text(415, PROTOBUF_REFUSAL)
    if (endpoint === "v3/cursor") return handleCursor(service, { body, scope, signal })
    return handlePipeline(service, { body, scope, signal }, endpoint === "v2/pipeline" ? 2 : 3)
  }

  switch (path) {
    case "/":
    case "/health":
    case "/v2":
    case "/v3":
      if (method !== "GET") return text(405, `${path} accepts GET only`)
      return text(200, "Hello, this is libsql-local: Hrana over HTTP, versions 2 and 3, JSON encoding")
    case "/v3-protobuf":
      return text(404, PROTOBUF_REFUSAL)
    case "/__faults": {
      if (method !== "POST" || scope === undefined)
        return text(405, 'POST /s/<scope>/__faults {"dropRequests": n}')
      const { dropRequests } = JSON.parse((await readBody(request, options))?.toString() || "{}") as {
        dropRequests?: number
      }
      options.faults.arm(scope, Number(dropRequests ?? 1))
      return { status: 204, contentType: "text/plain", body: "" }
    }
    case "/__streams":
      return jsonAnswer(200, { open: service.registry.openStreams })
    case "/__stats":
      if (method === "GET") return jsonAnswer(200, service.stats.read(scope))
      if (method === "DELETE") {
        service.stats.reset(scope)
        return { status: 204, contentType: "text/plain", body: "" }
      }
      return text(405, "/__stats accepts GET and DELETE")
  }
  return text(404, notFoundMessage(url.pathname))
}

type HranaEndpoint = "v2/pipeline" | "v3/pipeline" | "v3/cursor" | "v3-protobuf"

function hranaEndpoint(path: string): HranaEndpoint | undefined {
  if (path === "/v2/pipeline" || path === "/v3/pipeline" || path === "/v3/cursor") {
    return path.slice(1) as HranaEndpoint
  }
  if (path === "/v3-protobuf/pipeline" || path === "/v3-protobuf/cursor") return "v3-protobuf"
  return undefined
}

function notFoundMessage(pathname: string): string {
  // The client resolves `v2/pipeline` against its URL like a relative link: without a trailing slash
  // the scope segment is dropped (`/s/abc` + `v2/pipeline` = `/s/v2/pipeline`).
  if (/^\/s\/v[23]\/(pipeline|cursor)$/.test(pathname) || /^\/s\/(pipeline|cursor)$/.test(pathname)) {
    return `No endpoint ${pathname}: a scoped client URL must end with a slash, e.g. http://127.0.0.1:PORT/s/<scope>/`
  }
  return `No endpoint ${pathname}. Endpoints: POST /v2/pipeline, /v3/pipeline, /v3/cursor; GET /v2, /v3; GET|DELETE /__stats; each also under /s/<scope>/`
}

/** sqld's answers: 401 with a JSON `{"error"}` body (no `message`, so the client reports the status). */
function authenticate(expected: string | undefined, header: string | undefined): HttpAnswer | undefined {
  if (expected === undefined) return undefined
  const unauthorized = (reason: string) => jsonAnswer(401, { error: `Unauthorized: \`${reason}\`` })
  if (header === undefined) {
    return unauthorized("The `Authorization` HTTP header is required but was not specified")
  }
  const match = /^(\S+)\s+(\S+)$/.exec(header.trim())
  if (!match) return unauthorized("The `Authorization` HTTP header has invalid value")
  const [, scheme, token] = match as unknown as [string, string, string]
  if (scheme.toLowerCase() !== "bearer") {
    return unauthorized("The authentication scheme in the `Authorization` HTTP header is not supported")
  }
  const given = Buffer.from(token)
  const wanted = Buffer.from(expected)
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return unauthorized("The JWT is invalid")
  }
  return undefined
}

/** Aborted when nobody will read the answer: the client went away before it was sent (a timeout, a
 *  cancelled fetch), or the server is stopping. A response closes after it is sent, too; that one is no
 *  abandonment. */
function nobodyWaits(response: ServerResponse, stopping: AbortSignal): AbortSignal {
  const controller = new AbortController()
  const abort = () => controller.abort()
  stopping.addEventListener("abort", abort, { once: true })
  response.once("close", () => {
    stopping.removeEventListener("abort", abort)
    if (!response.writableFinished) abort()
  })
  return controller.signal
}

/** The body did not arrive whole: the client went away or stalled, or the server is stopping. */
class BodyNotReceived extends Error {}

/** The body did not arrive whole within the limit: the client is told so, then cut off. */
class BodyTimedOut extends BodyNotReceived {
  constructor(readonly timeoutMs: number) {
    super(`body not received within ${timeoutMs} ms`)
  }
}

/** An answer after which the connection is closed: the rest of a late body may never come. */
const CLOSING = new WeakSet<HttpAnswer>()

function timedOut(timeoutMs: number): HttpAnswer {
  const answer = text(
    408,
    `Request body not received whole within ${timeoutMs} ms (libsql-local's limit): send the whole body with the request`,
  )
  CLOSING.add(answer)
  return answer
}

/** The body's bytes; undefined once it passes MAX_BODY_BYTES. */
function readBody(
  request: IncomingMessage,
  { stopping, bodyTimeoutMs = DEFAULT_BODY_TIMEOUT_MS }: HttpOptions,
): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const giveUp = (error: BodyNotReceived) => {
      settle()
      chunks.length = 0
      // Stopping: the connection goes now. Timed out: it goes once the 408 is sent.
      if (!(error instanceof BodyTimedOut)) request.destroy()
      reject(error)
    }
    const onStopping = () => giveUp(new BodyNotReceived("server stopping"))
    const timer =
      bodyTimeoutMs > 0 ? setTimeout(() => giveUp(new BodyTimedOut(bodyTimeoutMs)), bodyTimeoutMs) : undefined
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    }
    const settle = () => {
      clearTimeout(timer)
      stopping.removeEventListener("abort", onStopping)
      request.off("data", onData)
    }
    if (stopping.aborted) return onStopping()
    stopping.addEventListener("abort", onStopping, { once: true })
    // Past the limit the rest is read and dropped: left unread on a kept-alive connection, it failed
    // the client's next request there (ECONNRESET) or held it.
    request.on("data", onData)
    request.on("end", () => {
      settle()
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks))
    })
    request.on("error", (error) => {
      settle()
      reject(new BodyNotReceived(String(error)))
    })
  })
}

function send(response: ServerResponse, answer: HttpAnswer, request: IncomingMessage): void {
  if (answer === DROP) {
    response.socket?.destroy()
    return
  }
  const closing = CLOSING.has(answer)
  response.writeHead(answer.status, {
    ...CORS,
    "content-type": answer.contentType,
    "content-length": Buffer.byteLength(answer.body),
    ...(closing ? { connection: "close" } : {}),
  })
  if (closing) response.once("finish", () => request.destroy())
  response.end(answer.body)
}

function text(status: number, body: string): HttpAnswer {
  return { status, contentType: "text/plain", body }
}

function jsonAnswer(status: number, body: unknown): HttpAnswer {
  return { status, contentType: "application/json", body: stringifyLikeSerde(body) }
}
