// One connection to Turso over HTTP, spoken directly: Hrana 2 pipelines (shared/FACTS.md), with no
// client library under it. @libsql/client builds a stream, a queue and an SQL cache for each request,
// and a fetch hook had to tell its fetches apart to count and time them: most of a `session.get`'s
// CPU (npm run bench:get-anatomy). Here each request is one fetch: a statement or a batch outside a
// transaction goes with its stream's close; a transaction's requests carry its baton, one after
// another. Values are read and written as the client does (integers as bigint, converted per column
// by the dialect), and errors worded as its LibsqlError (`CODE: message`, with `code`) for ./errors.ts.
import { DataError, InvalidRequestError, UnknownOutcomeError } from "../../errors.ts"
import { base64 } from "../../util/base64.ts"
import { settledWithin } from "../../util/settle-within.ts"
import { InFlightRequests } from "../in-flight.ts"
import { unsent } from "../outcome.ts"
import {
  CLOSE_TIMEOUT_MS,
  measured,
  type Query,
  type QueryResult,
  type RoundTrip,
  type RoundTrips,
  type TransactionOptions,
  type Transport,
} from "../transport.ts"
import { CAPABILITIES, infiniteInAnswer, isRead } from "./reads.ts"

/** Where a URL's pipelines go and the headers they carry, or why the URL cannot be used. */
export type Endpoint = { readonly url: string; readonly headers: Record<string, string> } | Error

interface Value {
  readonly type: string
  readonly value?: string | number | null
  readonly base64?: string
}
interface StatementResult {
  readonly cols: readonly { readonly name?: string | null }[]
  readonly rows: readonly (readonly Value[])[]
  readonly affected_row_count: number
}
interface Failure {
  readonly message: string
  readonly code?: string | null
}
interface BatchResult {
  readonly step_results: readonly (StatementResult | null)[]
  readonly step_errors: readonly (Failure | null)[]
}
interface Answer {
  readonly type: string
  readonly response: { readonly result: StatementResult & BatchResult }
  readonly error: Failure
}

/**
 * A transaction's stream: the baton the last answer gave. (An answer's `base_url`, which sqld leaves
 * null, is not followed: the stream's requests go where its first one went.)
 */
interface Stream {
  baton?: string | undefined
  /** Its BEGIN, until a request of it (which began it) is answered. */
  begin?: string | undefined
  /** What made it unusable (a request whose answer was lost): every later request fails with it. */
  broken?: Error
  /** Its requests go one after another, each with the baton of the one before. */
  turn: Promise<unknown>
}

const CLOSE = { type: "close" }

/**
 * Reads a `libsql:`, `https:` or `http:` URL as @libsql/client does: `libsql:` is HTTPS, or HTTP with
 * `?tls=0`; `?authToken=` overrides the option. Any other parameter or `tls` value is refused, as the
 * client refuses it.
 */
export function endpointOf(url: string, authToken: string | undefined): Endpoint {
  const { protocol, host, pathname, searchParams } = new URL(url)
  for (const [key] of searchParams)
    if (key !== "tls" && key !== "authToken")
      return failure(`Unsupported URL query parameter ${JSON.stringify(key)}`, "URL_PARAM_NOT_SUPPORTED")
  const token = searchParams.get("authToken") ?? authToken
  const tls = searchParams.get("tls")
  const scheme = protocol === "libsql:" ? (tls === "0" ? "http:" : "https:") : protocol
  // ?tls= other than 0 or 1, or against its scheme (http: with 1, https: with 0), is refused as the
  // client refuses it: `?tls=false` would have gone to HTTPS, an `http:` URL's `?tls=1` sent the token
  // in the clear.
  if (tls !== null && tls !== (scheme === "http:" ? "0" : "1"))
    return failure(`?tls=${tls} on a ${protocol} URL: libsql: takes 0 or 1, http: 0, https: 1`, "URL_INVALID")
  return {
    url: new URL("v2/pipeline", `${scheme}//${host}${pathname}`).href,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
  }
}

export interface HranaSettings {
  /** Where this connection's requests go, or why they cannot go: given when the first one is sent. */
  readonly endpoint: () => Endpoint
  /** How long close() waits for the server before it abandons what is in flight (default 1000 ms). */
  readonly closeTimeoutMs?: number | undefined
  /** How long a request may wait for its answer (./driver.ts); none when undefined. */
  readonly requestTimeoutMs?: number | undefined
}

export class HranaTransport implements Transport {
  readonly capabilities = CAPABILITIES
  #stream: Stream | undefined
  #closed = false
  /** HTTP requests under way, each with its own abort. */
  readonly #inFlight = new InFlightRequests()

  readonly #settings: HranaSettings
  readonly #roundTrips: RoundTrips

  constructor(settings: HranaSettings, roundTrips: RoundTrips) {
    this.#settings = settings
    this.#roundTrips = roundTrips
  }

  get inTransaction(): boolean {
    return this.#stream !== undefined
  }

  async execute(query: Query): Promise<QueryResult> {
    try {
      return (await this.#send("execute", [query]))[0] as QueryResult
    } catch (error) {
      // The write ran in autocommit, and SQLite made its changes at its first step; only its answer
      // (RETURNING's rows) was too large to send. In a transaction or a batch it is rolled back.
      if (this.#stream || isRead(query) || (error as Failure).code !== "RESPONSE_TOO_LARGE") throw error
      throw new UnknownOutcomeError(
        `The write ran but its answer was too large (${(error as Error).message}): it may have been applied; check before retrying, and return fewer rows`,
        { cause: error, ...query },
      )
    }
  }

  async batch(queries: readonly Query[], options: TransactionOptions = {}): Promise<QueryResult[]> {
    // One statement is atomic and one snapshot by itself: with no transaction options, it goes plain,
    // as execute() (whose write, in autocommit, may have run when its answer was too large).
    return queries.length === 1 && !this.#stream && Object.keys(options).length === 0
      ? this.execute(queries[0] as Query).then((result) => [result])
      : this.#send("batch", queries, beginOf(options.readOnly || queries.every(isRead)))
  }

  // begin, commit and rollback are called by the Connection only when it knows a transaction is not
  // open, or is: it checks `inTransaction` and says what is wrong.

  /**
   * Opens a transaction on a stream of its own. SQLite transactions are serializable whatever level is
   * asked: stronger than any level, so every request is honoured. The BEGIN travels with the first
   * statement, so beginning costs no round trip of its own.
   */
  async begin(options: TransactionOptions = {}): Promise<void> {
    this.#refuseClosed()
    this.#stream = { begin: beginOf(options.readOnly), turn: Promise.resolve() }
  }

  commit(): Promise<void> {
    return this.#end("commit", "COMMIT")
  }

  rollback(): Promise<void> {
    return this.#end("rollback", "ROLLBACK")
  }

  /**
   * Rolls back an open transaction and closes its stream. A server that no longer answers gets
   * `closeTimeoutMs` in all, then every request still in flight is aborted: close() always settles,
   * and leaves no request behind.
   */
  async close(deadline = Date.now() + (this.#settings.closeTimeoutMs ?? CLOSE_TIMEOUT_MS)): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      // Statements already sent end first, within the deadline (`return session.scalar(...)` inside
      // `await using` closes the session before its query answers).
      if (this.#stream) await settledWithin(this.#end("close", "ROLLBACK"), deadline - Date.now())
    } finally {
      await this.#inFlight.abandon(deadline)
    }
  }

  #refuseClosed(): void {
    if (this.#closed) throw new InvalidRequestError("This connection is closed; open a new one")
  }

  /**
   * Ends the transaction with COMMIT or ROLLBACK and the stream's close, in one request after those
   * already sent. A transaction that sent nothing has nothing to end; one whose BEGIN was refused, only
   * its stream to close; one whose stream broke, nothing to roll back (a commit fails with what broke
   * it: the server rolls back a stream it no longer hears from).
   */
  #end(kind: RoundTrip["kind"], sql: string): Promise<void> {
    const stream = this.#stream as Stream
    this.#stream = undefined
    return this.#inTurn(stream, async () => {
      if (stream.broken && sql === "COMMIT") throw stream.broken
      if (stream.broken || !stream.baton) return
      const end = { type: "execute", stmt: { sql } }
      resultOf((await this.#pipeline(kind, [], stream.begin ? [CLOSE] : [end, CLOSE], stream))[0])
    })
  }

  /**
   * Statements as one request: in the transaction (the first request beginning it), or, outside one,
   * alone or (`begin` given) as a transaction of their own, which BEGIN, each statement if the one
   * before it succeeded, and COMMIT if the last did make. A transaction a failure left open ends with
   * the stream, whose close the request carries: the server rolls it back.
   */
  #send(kind: RoundTrip["kind"], queries: readonly Query[], begin?: string): Promise<QueryResult[]> {
    this.#refuseClosed()
    const stream = this.#stream
    const send = async () => {
      if (stream?.broken) throw stream.broken
      // A transaction's first request begins it.
      const first = stream ? stream.begin : begin
      const steps = [...(first ? [{ sql: first, params: [] }] : []), ...queries]
      if (!stream && begin) steps.push({ sql: "COMMIT", params: [] })
      const batch = { type: "batch", batch: { steps: stepsOf(steps) } }
      const answer = resultOf(
        (await this.#pipeline(kind, queries, stream ? [batch] : [batch, CLOSE], stream))[0],
      )
      // A BEGIN refused (the database is busy) leaves no transaction: rollback() only closes the stream.
      if (stream && !answer.step_errors[0]) stream.begin = undefined
      return resultsOf(answer, queries, first ? 1 : 0)
    }
    // An infinite REAL read leaves a transaction's stream as it was: a DataError in or out of one.
    return (stream ? this.#inTurn(stream, send) : send()).catch((error: unknown) => {
      throw infiniteInAnswer(error, queries)
    })
  }

  /** `work` after the stream's requests already sent; a request whose answer was lost breaks the stream. */
  #inTurn<T>(stream: Stream, work: () => Promise<T>): Promise<T> {
    const turn = stream.turn.then(work)
    stream.turn = turn.catch(() => undefined)
    return turn
  }

  /**
   * One HTTP request of `requests` (on a transaction's `stream`, with its baton), reported as a round
   * trip of `kind`; its answers, one per request. It fails when no answer comes: HTTP's, the network's,
   * or requestTimeoutMs's.
   */
  #pipeline(
    kind: RoundTrip["kind"],
    statements: readonly Query[],
    requests: readonly object[],
    stream?: Stream,
  ): Promise<Answer[]> {
    const abort = new AbortController()
    const send = async (): Promise<Answer[]> => {
      const endpoint = this.#settings.endpoint()
      if (endpoint instanceof Error) throw endpoint
      const body = JSON.stringify({ baton: stream?.baton, requests })
      const response = await this.#inFlight.fetch(
        endpoint.url,
        { method: "POST", headers: endpoint.headers, body },
        abort,
      )
      if (!response.ok) throw await httpFailure(response)
      const answer: { baton?: string; results: Answer[] } = await response.json()
      if (stream) stream.baton = answer.baton
      // A null baton: the stream is closed (by our close, or by the server, which rolled its transaction
      // back). What follows, a commit too, fails rather than run on a new stream outside the transaction.
      if (stream && !answer.baton)
        stream.broken ??= unsent(failure("Stream is closed: the server closed it", "HRANA_CLOSED_ERROR"))
      return answer.results
    }
    return this.#inFlight
      .roundTrip(
        this.#settings.requestTimeoutMs,
        () => measured(this.#roundTrips, { transport: "http", kind, statements }, send),
        abort,
      )
      .catch((error: unknown) => {
        if (stream && !stream.broken) {
          stream.broken = unsent(
            failure(
              `Stream is closed: ${(error as Error).message}`,
              (error as Failure).code ?? "HRANA_CLOSED_ERROR",
            ),
          )
          // A request timed out may never have reached the server: the baton it carried is then still
          // the stream's, and closing with it ends the transaction (and frees its lock) now rather
          // than when the stream expires. Else the server refuses it: nothing is left to end.
          this.#pipeline("close", [], [CLOSE], stream).catch(() => undefined)
        }
        throw error
      })
  }
}

function failure(message: string, code: string): Error & Failure {
  return Object.assign(new Error(`${code}: ${message}`), { code })
}

/** An error the server answered with: it came before anything ran, or instead of it. */
function serverFailure(error: Failure): Error & Failure {
  return unsent(failure(error.message, error.code ?? "UNKNOWN"))
}

/** A refusal of the request as a whole: the server's own words (JSON or text), or its status alone. */
async function httpFailure(response: Response): Promise<Error> {
  const type = response.headers.get("content-type")
  if (type === "application/json") {
    const body: Failure = await response.json()
    if ("message" in body) return serverFailure(body)
  }
  const text = type === "text/plain" ? (await response.text()).trim() : ""
  return failure(`Server returned HTTP status ${response.status}${text && `: ${text}`}`, "SERVER_ERROR")
}

function beginOf(readOnly: boolean | undefined): string {
  return readOnly ? "BEGIN TRANSACTION READONLY" : "BEGIN IMMEDIATE"
}

/** Statements as a batch's steps, each run only if the one before it succeeded. */
function stepsOf(queries: readonly Query[]): object[] {
  return queries.map((query, i) => ({
    condition: i ? { type: "ok", step: i - 1 } : undefined,
    stmt: { sql: query.sql, args: query.params.map(argOf) },
  }))
}

/**
 * A parameter as Hrana's value, as @libsql/client sends it: a number is a REAL, a boolean 1 or 0. What
 * Hrana cannot carry (NaN, Infinity, an invalid Date; a bigint past 64 bits; text with a lone
 * surrogate), which the server would refuse with HTTP 400 (a transaction's stream broken with it), is
 * refused before anything is sent.
 */
function argOf(value: unknown): Value {
  switch (typeof value) {
    case "string":
      // JSON writes a lone surrogate as its escape, which no UTF-8 holds: the server refuses it.
      if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) break
      return { type: "text", value }
    case "bigint":
      if (BigInt.asIntN(64, value) !== value) break
      return { type: "integer", value: `${value}` }
    case "number":
      if (!Number.isFinite(value)) break
      return { type: "float", value }
    case "boolean":
      return { type: "integer", value: value ? "1" : "0" }
    default:
      if (value == null) return { type: "null" }
      // A view (a Float32Array, a DataView) as the bytes it views, not its elements as bytes.
      if (ArrayBuffer.isView(value))
        return {
          type: "blob",
          base64: base64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)),
        }
      if (value instanceof ArrayBuffer) return { type: "blob", base64: base64(new Uint8Array(value)) }
      return value instanceof Date ? argOf(+value) : { type: "text", value: `${value}` }
  }
  throw unsent(
    new DataError(
      `${typeof value === "string" ? "Text with a lone surrogate" : value} cannot be sent to libSQL (finite numbers, 64-bit integers and UTF-8 text only)`,
    ),
  )
}

/** A value of an answer as @libsql/client reads it with `intMode: "bigint"`; a blob an ArrayBuffer. */
function read({ type, value, base64: bytes }: Value): unknown {
  if (type === "text") return value
  if (type === "integer") return BigInt(value as string)
  if (type === "null") return null
  if (type === "blob") return Uint8Array.from(atob(bytes as string), (byte) => byte.charCodeAt(0)).buffer
  // A float; sqld writes an infinite one as null (./reads.ts).
  if (typeof value !== "number") throw failure(`Expected number, received ${value}`, "HRANA_PROTO_ERROR")
  return value
}

/** The answer to one request, or its error. */
function resultOf(answer: Answer | undefined): StatementResult & BatchResult {
  if ((answer as Answer).type !== "ok") throw serverFailure((answer as Answer).error)
  return (answer as Answer).response.result
}

/**
 * The results of a batch's statements, from step `first` on: the step that failed (BEGIN, a statement,
 * COMMIT; those after it did not run) fails the whole, naming its statement.
 */
function resultsOf(batch: BatchResult, queries: readonly Query[], first: number): QueryResult[] {
  const step = batch.step_errors.findIndex(Boolean)
  // Only a statement's error names one (LibsqlBatchError's statementIndex): not BEGIN's or COMMIT's.
  const statementIndex = queries[step - first] ? step - first : undefined
  if (step >= 0) throw Object.assign(serverFailure(batch.step_errors[step] as Failure), { statementIndex })
  return queries.map((_, i) => toResult(batch.step_results[i + first] as StatementResult))
}

function toResult(result: StatementResult): QueryResult {
  return {
    columns: result.cols.map((column) => column.name ?? ""),
    rows: result.rows.map((row) => row.map(read)),
    rowsAffected: result.affected_row_count,
  }
}
