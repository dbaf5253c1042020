// The two Hrana-over-HTTP POST endpoints: `pipeline` (a list of requests on one stream) and the v3
// `cursor` (one batch, answered as newline-delimited JSON entries).

import { stringifyLikeSerde } from "../serde-json.ts"
import type { AnswerBytes, AnswerTally } from "./answer-bytes.ts"
import { type BatchResult, compileBatch, runBatch } from "./batch.ts"
import type { BusyPolicy } from "./busy-retry.ts"
import {
  ConnectionLimitError,
  HranaError,
  ProtocolError,
  RequestAbandonedError,
  ServerStoppingError,
  StreamExpiredError,
} from "./errors.ts"
import type { Lane, Turn } from "./lane.ts"
import { decodeCursorBody, decodePipelineBody, parseJsonBody } from "./requests.ts"
import type { ExecutionContext, ProtocolVersion } from "./statement-runner.ts"
import type { StatsBook } from "./stats.ts"
import { handleStreamRequest, type StreamResult } from "./stream-requests.ts"
import type { Reservation, Stream, StreamRegistry } from "./streams.ts"
import type { WriteLock } from "./write-lock.ts"

export interface HranaService {
  registry: StreamRegistry
  /** The answers held at once, across requests (answer-bytes.ts). */
  answers: AnswerBytes
  stats: StatsBook
  busy: BusyPolicy
  lane: Lane
  /** A statement running longer is interrupted (0: no limit). */
  statementTimeoutMs: number
  /** How long a transaction may hold the write lock (sqld: 5 s). */
  writeLock: WriteLock
}

export interface HttpAnswer {
  status: number
  /** The client parses error bodies only when this is exactly `application/json`. */
  contentType: "application/json" | "text/plain"
  body: string
}

/** One HTTP request to a Hrana endpoint. */
export interface HranaRequest {
  /** As received: parseJsonBody decodes it as sqld does. */
  body: Uint8Array
  scope: string | undefined
  /** Aborted when nobody waits for the answer any more: the client went away, or the server stops. */
  signal: AbortSignal
}

export async function handlePipeline(
  service: HranaService,
  request: HranaRequest,
  version: ProtocolVersion,
): Promise<HttpAnswer> {
  return withStream(service, request, decodePipelineBody, async (stream, body, turn, answers) => {
    const context = contextFor(service, stream, version, request, turn, answers)
    const env = { registry: service.registry, stream, version, context }
    const results: StreamResult[] = []
    for (const streamRequest of body.requests) results.push(await handleStreamRequest(env, streamRequest))
    // The client may have gone away while the last statement ended: its stream is dropped all the same.
    if (request.signal.aborted && !service.busy.isStopping()) throw new RequestAbandonedError()
    const baton = service.registry.release(stream)
    return json(200, { baton, base_url: null, results })
  })
}

export async function handleCursor(service: HranaService, request: HranaRequest): Promise<HttpAnswer> {
  return withStream(service, request, decodeCursorBody, async (stream, body, turn, answers) => {
    const context = contextFor(service, stream, 3, request, turn, answers)()
    let entries: unknown[]
    try {
      entries = cursorEntries(await runBatch(context, compileBatch(body.steps, stream.sqls, 3)))
    } catch (error) {
      // A batch that cannot start (bad SQL in a step) ends the cursor with an `error` entry.
      if (!(error instanceof HranaError)) throw error
      entries = [{ type: "error", error: error.toProto() }]
    }
    if (request.signal.aborted && !service.busy.isStopping()) throw new RequestAbandonedError()
    const head = { baton: service.registry.release(stream), base_url: null }
    const lines = [head, ...entries].map((entry) => `${stringifyLikeSerde(entry)}\n`)
    return { status: 200, contentType: "text/plain", body: lines.join("") }
  })
}

/** Decodes the body, waits for the request's turn (lane.ts), takes the stream its baton names, and turns
 *  failures into sqld's HTTP answers. A request that fails half-way drops its stream (rolling back its
 *  transaction) instead of leaving it in an unknown state. */
async function withStream<Body extends { baton: string | undefined }>(
  service: HranaService,
  request: HranaRequest,
  decode: (raw: Record<string, unknown>) => Body,
  handle: (stream: Stream, body: Body, turn: Turn, answers: AnswerTally) => Promise<HttpAnswer>,
): Promise<HttpAnswer> {
  const turn = service.lane.turn(request.signal)
  // Held until the answer is built: the HTTP server sends it right after.
  const answers = service.answers.tally()
  let reservation: Reservation | undefined
  try {
    let body: Body
    let stream: Stream
    try {
      body = decode(parseJsonBody(request.body))
      // Room for a new stream is waited for outside the lane: the requests that end streams run.
      if (body.baton === undefined) reservation = await service.registry.reserve(request.signal)
      await turn.take()
      stream = await service.registry.acquire(body.baton, reservation)
    } catch (error) {
      return errorAnswer(error)
    }
    try {
      return await handle(stream, body, turn, answers)
    } catch (error) {
      service.registry.discard(stream)
      return errorAnswer(error)
    }
  } finally {
    answers.release()
    service.registry.unreserve(reservation)
    turn.leave()
  }
}

export function contextFor(
  service: HranaService,
  stream: Stream,
  version: ProtocolVersion,
  request: HranaRequest,
  turn: Turn,
  answers: AnswerTally,
): () => ExecutionContext {
  return () => {
    const connection = stream.connection
    if (!connection) throw new ProtocolError("Stream for this baton was closed")
    return {
      connection,
      version,
      busy: service.busy,
      onStatement: () => service.stats.count("statements", request.scope),
      signal: request.signal,
      timeLimitMs: service.statementTimeoutMs,
      turn,
      writeLock: service.writeLock,
      program: { timedOut: false },
      answers,
    }
  }
}

function cursorEntries(result: BatchResult): unknown[] {
  const entries: unknown[] = []
  result.step_results.forEach((stepResult, step) => {
    const stepError = result.step_errors[step]
    if (stepError) entries.push({ type: "step_error", step, error: stepError })
    if (!stepResult) return
    entries.push({ type: "step_begin", step, cols: stepResult.cols })
    for (const row of stepResult.rows) entries.push({ type: "row", row })
    entries.push({
      type: "step_end",
      affected_row_count: stepResult.affected_row_count,
      last_insert_rowid: stepResult.last_insert_rowid,
    })
  })
  return entries
}

function errorAnswer(error: unknown): HttpAnswer {
  // Nobody reads this answer (499: nginx's "client closed request"); the stream is already dropped.
  if (error instanceof RequestAbandonedError) {
    return { status: 499, contentType: "text/plain", body: error.message }
  }
  if (error instanceof ServerStoppingError) return json(503, error.toProto())
  if (error instanceof ConnectionLimitError) return json(429, { error: error.message })
  if (error instanceof ProtocolError) return { status: 400, contentType: "text/plain", body: error.message }
  if (error instanceof StreamExpiredError) {
    return json(500, { message: error.message, code: error.code })
  }
  console.error("libsql-local: internal error while handling a request:", error)
  const message = error instanceof Error ? error.message : String(error)
  return { status: 500, contentType: "text/plain", body: `Internal error in libsql-local: ${message}` }
}

function json(status: number, body: unknown): HttpAnswer {
  return { status, contentType: "application/json", body: stringifyLikeSerde(body) }
}
