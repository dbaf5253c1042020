// One connection to libSQL: a @libsql/client over HTTP (Hrana, `@libsql/client/web`) or embedded
// (`@libsql/client`, Node only). Interactive transactions run on a baton stream. Integers are read
// as bigint (a number above 2^53 would otherwise make the whole query throw) and converted per column
// by the dialect.
import type { Client, Config, InArgs, ResultSet, Transaction } from "@libsql/client"
import { InvalidRequestError, UnknownOutcomeError } from "../../errors.ts"
import { settledWithin } from "../../util/settle-within.ts"
import { InFlightRequests } from "../in-flight.ts"
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

export type CreateClient = (config: Config) => Client

type RoundTripInfo = Omit<RoundTrip, "transport" | "durationMs">

export interface LibsqlTransportSettings {
  readonly url: string
  readonly authToken?: string | undefined
  readonly createClient: CreateClient
  readonly kind: "http" | "embedded"
  /** How long close() waits for the server before it abandons what is in flight (default 1000 ms). */
  readonly closeTimeoutMs?: number | undefined
  /** How long an HTTP request may wait for its answer (./driver.ts); none when undefined. */
  readonly requestTimeoutMs?: number | undefined
  /** HTTP clients that connections to this URL closed with nothing open, for the next ones to take. */
  readonly idle?: IdleClient[] | undefined
}

/**
 * A client, and the connection holding it, whose fetch hook its fetches go through. An HTTP client a
 * connection closed with nothing open passes on to the next connection to its URL: making one parses
 * the URL and sets up its state, a tenth of a `session.get`'s CPU (npm run bench:get-anatomy), and the
 * raw driver's users keep theirs.
 */
export interface IdleClient {
  client?: Client
  to: LibsqlTransport
}

/** Idle clients kept per URL: enough for the requests an isolate serves at once. */
const IDLE_CLIENTS = 8

export class LibsqlTransport implements Transport {
  readonly capabilities = CAPABILITIES
  #held: IdleClient | undefined
  /** A transaction ran on the client: its stream's close may still be on the way, so it is not passed on. */
  #transacted = false
  #transaction: Transaction | undefined
  #closed = false
  /**
   * Requests made and not yet fetched, oldest first, so the fetch hook can report what each carries,
   * with what aborts their fetch when they time out (none inside a transaction: see #request).
   */
  readonly #unsent = new Map<RoundTripInfo, AbortController | undefined>()
  /** HTTP requests under way, the client's own included (a stream's `close` it sends by itself). */
  readonly #inFlight = new InFlightRequests()

  readonly #settings: LibsqlTransportSettings
  readonly #roundTrips: RoundTrips

  constructor(settings: LibsqlTransportSettings, roundTrips: RoundTrips) {
    this.#settings = settings
    this.#roundTrips = roundTrips
  }

  get inTransaction(): boolean {
    return this.#transaction !== undefined
  }

  execute(query: Query): Promise<QueryResult> {
    const statement = { sql: query.sql, args: query.params as InArgs }
    const transaction = this.#transaction
    return this.#request("execute", [query], async () => {
      const result = await (transaction ?? this.#openClient).execute(statement).catch((error) => {
        // The write ran in autocommit, and SQLite made its changes at its first step; only its answer
        // (RETURNING's rows) was too large to send. In a transaction or a batch it is rolled back.
        if (transaction) throw error
        if (isRead(query) || error?.code !== "RESPONSE_TOO_LARGE") throw infiniteInAnswer(error, [query])
        throw new UnknownOutcomeError(
          `The write ran but its answer was too large (${error.message}): it may have been applied; check before retrying, and return fewer rows`,
          { cause: error, ...query },
        )
      })
      return toResult(result, query)
    })
  }

  batch(queries: readonly Query[], options: TransactionOptions = {}): Promise<QueryResult[]> {
    // One statement is atomic and one snapshot by itself: with no transaction options, it goes plain.
    const [only] = queries
    if (only && queries.length === 1 && !this.#transaction && Object.keys(options).length === 0) {
      return this.execute(only).then((result) => [result])
    }
    const statements = queries.map((q) => ({ sql: q.sql, args: q.params as InArgs }))
    return this.#request("batch", queries, async () => {
      const results = this.#transaction
        ? await this.#transaction.batch(statements)
        : await this.#openClient
            .batch(statements, options.readOnly || queries.every(isRead) ? "read" : "write")
            .catch((error) => {
              throw infiniteInAnswer(error, queries)
            })
      return results.map((result, i) => toResult(result, queries[i] as Query))
    })
  }

  // begin, commit and rollback are called by the Connection only when it knows a transaction is not
  // open, or is: it checks `inTransaction` and says what is wrong.

  /**
   * Opens a transaction on its own stream. SQLite transactions are serializable whatever level is
   * asked: stronger than any level, so every request is honoured. Over HTTP the BEGIN travels with the
   * first statement, so beginning costs no round trip of its own.
   */
  async begin(options: TransactionOptions = {}): Promise<void> {
    const mode = options.readOnly ? "read" : "write"
    this.#transacted = true
    this.#transaction = await this.#request("begin", [], () => this.#openClient.transaction(mode))
  }

  async commit(): Promise<void> {
    const transaction = this.#transaction as Transaction
    this.#transaction = undefined
    try {
      await this.#request("commit", [], () => transaction.commit())
    } finally {
      transaction.close()
    }
  }

  async rollback(): Promise<void> {
    const transaction = this.#transaction as Transaction
    this.#transaction = undefined
    try {
      await this.#request("rollback", [], () => transaction.rollback())
    } finally {
      transaction.close()
    }
  }

  /**
   * Rolls back an open transaction and closes the stream and client. A server that no longer answers
   * gets `closeTimeoutMs` in all, then every request still in flight is aborted: close() always
   * settles, and leaves no request behind.
   */
  async close(deadline = Date.now() + (this.#settings.closeTimeoutMs ?? CLOSE_TIMEOUT_MS)): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const transaction = this.#transaction
    this.#transaction = undefined
    try {
      if (transaction) await settledWithin(transaction.rollback(), deadline - Date.now())
    } finally {
      transaction?.close()
      // An HTTP client with no stream open holds nothing (each statement's stream closed with it), and
      // closing it builds an error with a stack trace: it is closed only when something is left open.
      const holds = this.#settings.kind === "embedded" || transaction || !this.#inFlight.idle
      // Statements already sent end first, within the deadline (`return session.scalar(...)` inside
      // `await using` closes the session before its query answers): closing the client cut them.
      await this.#inFlight.abandon(deadline)
      const idle = this.#settings.idle
      if (holds) this.#held?.client?.close()
      else if (idle && this.#held && !this.#transacted && idle.length < IDLE_CLIENTS) idle.push(this.#held)
      this.#held = undefined
    }
  }

  get #openClient(): Client {
    if (this.#closed) throw new InvalidRequestError("This connection is closed; open a new one")
    // The settings are the client's config too: it reads `url` and `authToken`, and leaves the rest.
    // The embedded client has no use for `fetch`.
    if (this.#held) return this.#held.client as Client
    // Held once made: a URL the client refuses (a query parameter it does not know) fails each call so.
    const held = this.#settings.idle?.pop() ?? { to: this }
    held.to = this
    // An authToken given as undefined is read as none given (the client destructures its config).
    held.client ??= this.#settings.createClient({
      ...this.#settings,
      intMode: "bigint",
      fetch: (input: string | URL | Request, init?: RequestInit) => held.to.#countingFetch(input, init),
    } as Config)
    this.#held = held
    return held.client
  }

  /** Embedded requests are reported here; HTTP ones by the fetch hook, one per request actually sent. */
  #request<T>(kind: RoundTrip["kind"], statements: readonly Query[], send: () => Promise<T>): Promise<T> {
    if (this.#settings.kind !== "http")
      return this.#inFlight.track(
        measured(this.#roundTrips, { transport: "embedded", kind, statements }, send),
      )
    const request = { kind, statements }
    // A request outside a transaction is a stream of its own, one fetch: its timeout aborts that fetch
    // alone. A transaction's requests share its stream, and the client may send several in one fetch
    // (which then carries the first one's name): a timeout aborts all in flight, which while a
    // transaction is open is that transaction's, over now.
    const abort = this.#transaction ? undefined : new AbortController()
    const unsent = this.#unsent.set(request, abort)
    // Settled without a fetch (failed before it): it must not name the next one.
    return this.#inFlight
      .roundTrip(this.#settings.requestTimeoutMs, send, abort)
      .finally(() => unsent.delete(request))
  }

  /** Fetches in the order the client made them, each once its body says whether it is a batch. */
  #peeked: Promise<string> = Promise.resolve("")
  /** Fetches not yet told apart: while one is, the next is read too, in its turn. */
  #reading = 0

  /**
   * Reports each fetch as the oldest request of its kind not yet fetched, and gives it that request's
   * abort: the client fetches in the order it was asked, except that a batch goes out after an await
   * an execute does not make (a batch asked just before a read is fetched after it, and the read's
   * timeout aborted the batch). Inside a transaction (no abort of its own) the client sends each
   * statement as a batch too, and its COMMIT or ROLLBACK as a statement. A fetch with none left is
   * one the client sends by itself: a stream's close.
   */
  readonly #countingFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    // One request waiting, the usual case, needs no telling apart: reading a copy of the body doubled
    // the CPU of a session.get (npm run bench:cpu). Bodies are read one after the other, in fetch order
    // (after one that could not be read too).
    const telling = this.#reading++ > 0 || this.#unsent.size > 1
    const read = () => (telling ? (input as Request).clone().text() : "")
    const body = this.#peeked.then(read, read)
    this.#peeked = body
    return body.then((text) => {
      const batch = text.includes('"type":"batch"')
      const [request, abort] =
        [...this.#unsent].find(
          ([r, a]) => !telling || (r.kind === "batch" || (!a && r.kind === "execute")) === batch,
        ) ?? CLIENT_CLOSE
      this.#reading--
      this.#unsent.delete(request)
      return measured(this.#roundTrips, { transport: "http", ...request }, () =>
        this.#inFlight.fetch(input, init, abort),
      )
    })
  }
}

/** A request the client sends by itself: a stream's close. */
const CLIENT_CLOSE: [RoundTripInfo, AbortController?] = [{ kind: "close", statements: [] }]

function toResult(result: ResultSet, query: Query): QueryResult {
  // The embedded client counts 0 for a write that returns rows (RETURNING); each row is one it wrote.
  const counted = result.rowsAffected || (isRead(query) ? 0 : result.rows.length)
  return { columns: result.columns, rows: result.rows.map(valuesOf), rowsAffected: counted }
}

/** A row's values as an array. The client's rows are array-likes, read by index: Array.from is 4x slower. */
function valuesOf(row: ArrayLike<unknown>): unknown[] {
  const values: unknown[] = new Array(row.length)
  for (let i = 0; i < values.length; i++) values[i] = row[i]
  return values
}
