// Hrana over WebSocket, version 2 with the JSON encoding (subprotocol `hrana2`), as sqld serves it on the
// same port as HTTP: the client's `ws://` URL. A connection says `hello` (with the token when one is
// required), then opens streams by id and runs requests on them; its streams share the SQL texts it
// stores. Each stream holds a connection of the pool, counted against the same limit as HTTP streams,
// and lives until the client closes it or its WebSocket. A stream's requests run in the order they
// arrive, each in its turn (lane.ts) as an HTTP request does; streams do not wait for each other's
// requests. Not served: `hrana3` (cursors), Protobuf.
//
// A client cannot make it hold more than a bounded amount for it, as sqld cannot be made to: a stream
// takes at most 8 requests waiting behind the one it runs (sqld's channel of 8 per stream), and a
// message that would be a stream's tenth, or that comes while more than 1 MiB of answers waits to be
// written to a client that does not read them, is left unread, with the socket's later ones, until
// there is room: the socket is read no further meanwhile (what sqld does as it awaits the channel or the
// write). A message is at most 64 MiB (as sqld's, and as an HTTP body here); a longer one closes the
// socket with 1009.
import { timingSafeEqual } from "node:crypto"
import { setMaxListeners } from "node:events"
import type { IncomingMessage, Server } from "node:http"
import type { Duplex } from "node:stream"
import type { WebSocket, WebSocketServer } from "ws"
import { parseLikeSerde, stringifyLikeSerde } from "../serde-json.ts"
import { ConnectionLimitError, ProtocolError } from "./errors.ts"
import { contextFor, type HranaService } from "./pipeline.ts"
import { object, type StreamRequest, streamRequest } from "./requests.ts"
import { byteSize, handleStreamRequest } from "./stream-requests.ts"
import type { Reservation, Stream } from "./streams.ts"

const SUBPROTOCOL = "hrana2"
/** sqld's limit on a WebSocket connection's stored SQL texts (an HTTP stream's is 50). */
const MAX_STORED_SQLS = 150
const SCOPED_PATH = /^\/s\/([^/]+)\/?$/
/** sqld's: a stream's job channel holds 8 requests beside the one it runs (hrana/ws/session.rs). */
const MAX_WAITING_PER_STREAM = 8
/** Answers not yet written to a client that does not read them, past which its socket is not read. */
const MAX_UNSENT_BYTES = 1024 * 1024
/** tungstenite's default message limit, which sqld keeps; the same as an HTTP body's here. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024
/** Streams of one socket that failed to open and that its client has not closed yet. sqld keeps such a
 *  stream until it is closed, to answer its requests STREAM_NOT_OPEN, and so does libsql-local; the
 *  official client closes each at once. A client that never closed them grew the socket's memory
 *  without end: past this many the socket is closed, with the reason (1002). */
export const MAX_FAILED_STREAMS = 1_024
/** The SQL texts every socket stores, together. sqld bounds a socket's texts by count (150) only, each
 *  of any size: 150 texts of 64 MiB, on one socket or over a few, exhausted the heap here. */
const MAX_STORED_SQL_BYTES = 256 * 1024 * 1024

export interface WebSocketOptions {
  authToken: string | undefined
  /** The bytes of SQL texts the sockets store (MAX_STORED_SQL_BYTES by default). */
  maxStoredSqlBytes?: number
  /** Aborted when the server stops: every WebSocket is closed. */
  stopping: AbortSignal
}

/** Serves Hrana's WebSocket protocol on `server`'s upgrade requests; `close()` ends every session. */
export function serveHranaWebSockets(
  server: Server,
  service: HranaService,
  options: WebSocketOptions,
): { close(): void } {
  let sockets: WebSocketServer | undefined
  const stored: StoredSqlBytes = { bytes: 0, max: options.maxStoredSqlBytes ?? MAX_STORED_SQL_BYTES }
  let loading: Promise<WebSocketServer | undefined> | undefined
  // `ws` is loaded at the first WebSocket client: libsql-local over HTTP does not need it.
  const load = () => {
    loading ??= import("ws").then(
      ({ WebSocketServer }) => {
        sockets = new WebSocketServer({
          noServer: true,
          maxPayload: MAX_MESSAGE_BYTES,
          handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
        })
        return sockets
      },
      () => undefined,
    )
    return loading
  }
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Answered 503 as it connected, past maxSockets (http-server.ts).
    if (socket.writableEnded) return
    const path = new URL(request.url ?? "/", "http://localhost").pathname
    const scoped = SCOPED_PATH.exec(path)
    if (path !== "/" && !scoped) return refuseUpgrade(socket, 404, `No WebSocket endpoint ${path}: use /`)
    const offered = String(request.headers["sec-websocket-protocol"] ?? "").split(/\s*,\s*/)
    if (!offered.includes(SUBPROTOCOL)) {
      return refuseUpgrade(
        socket,
        400,
        `libsql-local serves Hrana over WebSocket as ${SUBPROTOCOL} only (offered: ${offered.join(", ") || "none"})`,
      )
    }
    void load().then((wss) => {
      if (!wss) return refuseUpgrade(socket, 501, "Hrana over WebSocket needs the ws package: npm i -D ws")
      if (options.stopping.aborted) return refuseUpgrade(socket, 503, "libsql-local is stopping")
      const scope = scoped ? decodeURIComponent(scoped[1] as string) : undefined
      wss.handleUpgrade(request, socket, head, (ws) => session(ws, service, options, scope, stored))
    })
  })
  return {
    close: () => {
      for (const client of sockets?.clients ?? []) client.terminate()
      sockets?.close()
    },
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = Buffer.from(message)
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? "Not Found" : status === 400 ? "Bad Request" : "Unavailable"}\r\n` +
      `content-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${message}`,
  )
}

/**
 * One client's WebSocket: its streams by the ids it gave them, its SQL texts, and a queue of requests per
 * stream. A stream's requests run in the order they arrive; the streams of one socket proceed
 * independently, as on sqld (each stream its own task): the official client multiplexes every
 * transaction and statement of a ws:// client onto one socket, so a statement waiting for the write
 * lock one of its transactions holds would otherwise hold up that transaction's COMMIT behind it until
 * the lock changed hands by force. Messages themselves are read in order: hello, the SQL texts, and
 * which stream ids exist are settled as each arrives, and a request's stored SQL texts are read then.
 */
function session(
  ws: WebSocket,
  service: HranaService,
  options: WebSocketOptions,
  scope: string | undefined,
  stored: StoredSqlBytes,
) {
  const streams = new Map<number, Stream>()
  /** Stream ids opened and not closed, as of the messages read so far (streams: as of the requests run). */
  const declared = new Set<number>()
  /** Stream ids whose open_stream failed, until their close_stream runs (at most MAX_FAILED_STREAMS). */
  const failed = new Set<number>()
  /** Each stream id's last queued request. */
  const queues = new Map<number, Promise<void>>()
  /** Each stream id's requests queued or running. */
  const queued = new Map<number, number>()
  /** Streams with MAX_WAITING_PER_STREAM requests waiting behind the running one, and one more. */
  let fullStreams = 0
  /** Messages received while the socket was held, not read yet (at most what one read of the socket
   *  brought after the pause). */
  const unread: Array<[Buffer | ArrayBuffer | Buffer[], boolean]> = []
  const sqls = new Map<number, string>()
  const gone = new AbortController()
  // Every request waiting on one of the socket's streams listens for the socket going away.
  setMaxListeners(0, gone.signal)
  const abort = () => gone.abort()
  options.stopping.addEventListener("abort", abort, { once: true })
  let greeted = false

  const send = (message: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(stringifyLikeSerde(message), flow)
  }
  /** Whether the socket's next message must wait: a stream is full, or the client does not read. */
  const holding = () => fullStreams > 0 || ws.bufferedAmount > MAX_UNSENT_BYTES
  /** Reads the messages held back while there is room; reads the socket only when none is left. */
  function flow() {
    while (unread.length > 0 && !holding() && !gone.signal.aborted) {
      const [data, isBinary] = unread.shift() as (typeof unread)[number]
      receive(data, isBinary)
    }
    if (unread.length > 0 || holding()) {
      if (!ws.isPaused) ws.pause()
    } else if (ws.isPaused) ws.resume()
  }
  const end = () => {
    for (const text of sqls.values()) stored.bytes -= Buffer.byteLength(text)
    sqls.clear()
    gone.abort()
    options.stopping.removeEventListener("abort", abort)
    for (const stream of streams.values()) service.registry.closeConnection(stream)
    streams.clear()
    failed.clear()
  }
  ws.on("close", end)
  ws.on("error", () => ws.terminate())

  const fail = (error: unknown, requestId: number | undefined) => {
    if (error instanceof RequestFailed) {
      send({ type: "response_error", request_id: requestId, error: error.error })
      return
    }
    // sqld closes a connection that broke the protocol, with the reason; what else it sent is not run.
    gone.abort()
    const reason = error instanceof Error ? error.message : String(error)
    ws.close(error instanceof ProtocolError ? 1002 : 1011, reason.slice(0, 120))
  }

  /** Runs `job` after the stream's earlier requests, beside other streams' requests. */
  const enqueue = (streamId: number, requestId: number, job: () => Promise<Record<string, unknown>>) => {
    const previous = queues.get(streamId) ?? Promise.resolve()
    const count = (queued.get(streamId) ?? 0) + 1
    queued.set(streamId, count)
    if (count === MAX_WAITING_PER_STREAM + 2) fullStreams++
    const next = previous.then(async () => {
      if (gone.signal.aborted) return
      try {
        send({ type: "response_ok", request_id: requestId, response: await job() })
      } catch (error) {
        fail(error, requestId)
      }
    })
    queues.set(streamId, next)
    void next.finally(() => {
      if (queues.get(streamId) === next) queues.delete(streamId)
      const left = (queued.get(streamId) ?? 1) - 1
      if (left === 0) queued.delete(streamId)
      else queued.set(streamId, left)
      if (left === MAX_WAITING_PER_STREAM + 1) fullStreams--
      flow()
    })
  }

  ws.on("message", (data, isBinary) => {
    if (gone.signal.aborted) return
    if (unread.length > 0 || holding()) unread.push([data, isBinary])
    else receive(data, isBinary)
    flow()
  })

  function receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) {
    let requestId: number | undefined
    try {
      if (isBinary) {
        throw new ProtocolError(
          "Received a binary WebSocket message, which is not supported in this encoding",
        )
      }
      const message = object(parseMessage(toBuffer(data)), "message", [
        "type",
        "jwt",
        "request_id",
        "request",
      ])
      if (message.type === "hello") {
        const refusal = authenticate(options.authToken, message.jwt)
        if (refusal) {
          send({ type: "hello_error", error: { message: refusal, code: "AUTH_FAILED" } })
          gone.abort()
          ws.close(1008, refusal.slice(0, 120))
          return
        }
        greeted = true
        send({ type: "hello_ok" })
        return
      }
      if (message.type !== "request") {
        throw new ProtocolError(`Unknown message type ${JSON.stringify(message.type)}`)
      }
      if (!greeted) throw new ProtocolError("Received a request before hello message")
      if (typeof message.request_id !== "number" || !Number.isInteger(message.request_id)) {
        throw new ProtocolError(
          "Cannot deserialize client message from JSON: request_id: expected an integer",
        )
      }
      requestId = message.request_id
      const answered = accept(requestId, object(message.request, "request", ["type", "stream_id"]))
      if (answered) send({ type: "response_ok", request_id: requestId, response: answered })
    } catch (error) {
      fail(error, requestId)
    }
  }

  /** Reads one request as it arrives: answers it at once (the SQL texts), or queues it on its stream. */
  function accept(requestId: number, request: Record<string, unknown>): Record<string, unknown> | undefined {
    const { type, stream_id: streamId } = request
    if (type === "store_sql") return storeSql(request)
    if (type === "close_sql") {
      const sqlId = integer(request.sql_id, "sql_id")
      const text = sqls.get(sqlId)
      if (text !== undefined) stored.bytes -= Buffer.byteLength(text)
      sqls.delete(sqlId)
      return { type: "close_sql" }
    }
    if (typeof streamId !== "number" || !Number.isInteger(streamId)) {
      throw new ProtocolError(
        "Cannot deserialize client message from JSON: request.stream_id: expected an integer",
      )
    }
    if (type === "open_stream") {
      if (declared.has(streamId)) throw new ProtocolError(`Stream ${streamId} already exists`)
      declared.add(streamId)
      enqueue(streamId, requestId, async () => {
        try {
          return await openStream(streamId)
        } catch (error) {
          // Kept until the client closes it (its close_stream runs after this, in the stream's order).
          if (failed.size >= MAX_FAILED_STREAMS) {
            throw new ProtocolError(
              `More than ${MAX_FAILED_STREAMS} streams failed to open and were not closed (close_stream them)`,
            )
          }
          failed.add(streamId)
          throw error
        }
      })
      return undefined
    }
    if (!declared.has(streamId)) throw new ProtocolError(`Stream ${streamId} not found`)
    if (type === "close_stream") {
      declared.delete(streamId)
      enqueue(streamId, requestId, async () => {
        const stream = streams.get(streamId)
        if (stream) service.registry.closeConnection(stream)
        streams.delete(streamId)
        failed.delete(streamId)
        return { type: "close_stream" }
      })
      return undefined
    }
    if (type !== "execute" && type !== "batch" && type !== "sequence" && type !== "describe") {
      throw new ProtocolError(`Request type ${JSON.stringify(type)} is not supported by ${SUBPROTOCOL}`)
    }
    // sqld reads the stored texts a request names as it arrives: a close_sql sent right after the
    // request does not take its text away.
    const parsed = withStoredSql(streamRequest(request, "request"), sqls)
    enqueue(streamId, requestId, async () => {
      const stream = streams.get(streamId)
      // Declared, so its open_stream came first and failed: sqld answers each later request with an
      // error (session.rs, StreamNotOpen) and keeps the socket; the client may close the stream.
      if (!stream) {
        throw new RequestFailed({ message: `Stream ${streamId} has failed to open`, code: "STREAM_NOT_OPEN" })
      }
      return run(stream, parsed)
    })
    return undefined
  }

  async function openStream(streamId: number): Promise<Record<string, unknown>> {
    let reservation: Reservation
    try {
      reservation = await service.registry.reserve(gone.signal)
    } catch (error) {
      // sqld's refusals past its connection limit (HTTP 429 over HTTP).
      if (!(error instanceof ConnectionLimitError)) throw error
      throw new RequestFailed({ message: error.message, code: "TOO_MANY_CONNECTIONS" })
    }
    try {
      const stream = await service.registry.openOwned(reservation, sqls)
      // The socket closed while the stream opened: nobody will close it.
      if (gone.signal.aborted) service.registry.closeConnection(stream)
      else streams.set(streamId, stream)
    } finally {
      service.registry.unreserve(reservation)
    }
    return { type: "open_stream" }
  }

  /** sqld's store_sql over WebSocket: the connection's texts, at most 150, of any size (hrana/ws/session.rs). */
  function storeSql(request: Record<string, unknown>): Record<string, unknown> {
    const sqlId = integer(request.sql_id, "sql_id")
    if (typeof request.sql !== "string") {
      throw new ProtocolError("Cannot deserialize client message from JSON: request.sql: expected a string")
    }
    if (sqls.has(sqlId)) throw new ProtocolError(`SQL text ${sqlId} already exists`)
    if (sqls.size >= MAX_STORED_SQLS) {
      throw new RequestFailed({
        message: `The server already stores ${sqls.size} SQL texts, it cannot store more`,
        code: "SQL_STORE_TOO_MANY",
      })
    }
    const bytes = Buffer.byteLength(request.sql)
    if (stored.bytes + bytes > stored.max) {
      throw new RequestFailed({
        message: `The statement is too large to be stored: libsql-local's sockets already store ${byteSize(stored.bytes)} of SQL texts, and keep at most ${byteSize(stored.max)} (close_sql the texts no longer used)`,
        code: "SQL_STORE_TOO_LARGE",
      })
    }
    stored.bytes += bytes
    sqls.set(sqlId, request.sql)
    return { type: "store_sql" }
  }

  /** Runs one request on `stream` in its turn; its HranaError is the request's response_error. */
  async function run(stream: Stream, request: StreamRequest): Promise<Record<string, unknown>> {
    const turn = service.lane.turn(gone.signal)
    // Held until the request is answered: its answer is then written, or waits in the socket's
    // buffer, which is bounded apart (MAX_UNSENT_BYTES).
    const answers = service.answers.tally()
    try {
      await turn.take()
      const context = contextFor(
        service,
        stream,
        2,
        { body: new Uint8Array(), scope, signal: gone.signal },
        turn,
        answers,
      )
      const result = await handleStreamRequest(
        { registry: service.registry, stream, version: 2, context },
        request,
      )
      if (result.type === "error") throw new RequestFailed(result.error)
      return result.response
    } finally {
      answers.release()
      turn.leave()
    }
  }
}

/** `request` with the stored SQL texts it names put in their place, as they are now. A name not stored
 *  is left for the request to fail on when it runs. */
function withStoredSql(request: StreamRequest, sqls: Map<number, string>): StreamRequest {
  const resolve = <T extends { sql: string | undefined; sqlId: number | undefined }>(named: T): T => {
    const text = named.sql === undefined && named.sqlId !== undefined ? sqls.get(named.sqlId) : undefined
    return text === undefined ? named : { ...named, sql: text, sqlId: undefined }
  }
  switch (request.type) {
    case "execute":
      return { ...request, stmt: resolve(request.stmt) }
    case "batch":
      return { ...request, steps: request.steps.map((step) => ({ ...step, stmt: resolve(step.stmt) })) }
    case "sequence":
    case "describe":
      return resolve(request)
    default:
      return request
  }
}

/** The bytes of SQL texts all sockets store, and the most they may. */
interface StoredSqlBytes {
  bytes: number
  readonly max: number
}

/** One request failed: its response_error, the connection goes on. */
class RequestFailed extends Error {
  constructor(readonly error: { message: string; code: string }) {
    super(error.message)
  }
}

/** A message read as sqld's serde_json reads it (../serde-json.ts): a field given twice is refused by
 *  the decoders, as serde's derive refuses it. */
function integer(raw: unknown, field: string): number {
  if (typeof raw !== "number" || !Number.isInteger(raw)) {
    throw new ProtocolError(
      `Cannot deserialize client message from JSON: request.${field}: expected an integer`,
    )
  }
  return raw
}

function parseMessage(data: Buffer): unknown {
  let read: ReturnType<typeof parseLikeSerde>
  try {
    read = parseLikeSerde(data)
  } catch (error) {
    throw new ProtocolError(`Cannot deserialize client message from JSON: ${(error as Error).message}`)
  }
  if ("refusal" in read)
    throw new ProtocolError(`Cannot deserialize client message from JSON: ${read.refusal}`)
  return read.value
}

function authenticate(expected: string | undefined, jwt: unknown): string | undefined {
  if (expected === undefined) return undefined
  if (typeof jwt !== "string") return "Authentication failed: the hello message carries no token (jwt)"
  const given = Buffer.from(jwt)
  const wanted = Buffer.from(expected)
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    return "Authentication failed: The JWT is invalid"
  return undefined
}
