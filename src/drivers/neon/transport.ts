// One connection to Neon. It speaks SQL over HTTP (one request per statement or atomic batch) until an
// interactive transaction is needed, then opens a WebSocket `Client` and keeps it while it lives. A
// WebSocket that the network or the server ends is forgotten (the next statement opens another); a
// transaction open on it is gone, which the next call inside it reports.
import {
  Client,
  type CustomTypesConfig,
  type FullQueryResults,
  type HTTPTransactionOptions,
  neon,
  types,
} from "@neondatabase/serverless"
import { InvalidRequestError } from "../../errors.ts"
import { settledWithin } from "../../util/settle-within.ts"
import { InFlightRequests } from "../in-flight.ts"
import { unsent } from "../outcome.ts"
import { answeredWithin } from "../request-timeout.ts"
import {
  type Capabilities,
  CLOSE_TIMEOUT_MS,
  type IsolationLevel,
  measured,
  type Query,
  type QueryResult,
  type RoundTrip,
  type RoundTrips,
  type TransactionOptions,
  type Transport,
} from "../transport.ts"
import { inlineScript } from "./inline-script.ts"
import { applyWebSocketSettings, type NeonOptions, withHttpSettings } from "./settings.ts"

/**
 * The driver's parsers for a process whose zone is not UTC (Node's TZ; Workers run in UTC), where it
 * reads a `date` and a `timestamp` (without time zone) in that zone: a `date` stays its text
 * (`YYYY-MM-DD`; parsed, it was a Date at local midnight, which a zone that skipped the day, Kiribati's
 * 1994-12-31, turns into the next), and a `timestamp` is read as UTC, as the ORM writes it. Only there:
 * any `types` option costs the driver about 8% more CPU per query.
 */
const ZONED = {
  types: {
    getTypeParser: (id, format) =>
      id === 1082
        ? String
        : id === 1114
          ? (text: string) => types.getTypeParser(1184, format)(`${text}+00`)
          : types.getTypeParser(id, format),
  } satisfies CustomTypesConfig,
}

/**
 * The driver's per-query options: ZONED's parsers when the process's zone has an offset at the epoch,
 * in summer 2017 or in 1906 (zones at UTC in 1970 and 2017 but not always, Africa/Abidjan's until 1912
 * or Africa/Sao_Tome's in 2018, were off UTC in 1906); asked at each query: Node honours a TZ set while
 * it runs.
 */
const optionsOf = () =>
  new Date(0).getTimezoneOffset() ||
  new Date(15e11).getTimezoneOffset() ||
  new Date(-2e12).getTimezoneOffset()
    ? ZONED
    : undefined

/**
 * A database on this machine (`postgresql://postgres@127.0.0.1:5432/app`): the driver asks Neon's HTTP
 * endpoint for it (`https://api.0.0.1/sql`, `https://localhost/sql`), which no PostgreSQL answers, and
 * failed with "fetch failed" alone, when no fetchEndpoint was given. (The request never left: the error
 * still reads as one that came first, through its cause.)
 */
const LOCAL = /^postgres(ql)?:\/\/([^@/]*@)?(localhost|127\.[\d.]+|\[::1\])[:/]/i
const LOCAL_HINT =
  "a local PostgreSQL needs the local Neon endpoint: npx edgealchemy neon-local, then createEngine(url, { fetchEndpoint })"

/** The HTTP driver's spelling of an isolation level: "repeatable read" is "RepeatableRead". */
function httpIsolationLevel(level: IsolationLevel) {
  const words = level.replace(/(?:^| )(\w)/g, (_, initial: string) => initial.toUpperCase())
  return words as HTTPTransactionOptions<true, true>["isolationLevel"]
}

export class NeonTransport implements Transport {
  // Declared, not defined: the constructor sets it, and field definitions would be bytes in every bundle.
  declare readonly capabilities: Capabilities
  #client: Client | undefined
  /** A client still connecting: close() abandons it too. */
  #connecting: Client | undefined
  /** That client's connect, shared by the statements waiting for it. */
  #connected: Promise<void> | undefined
  #inTransaction = false
  /** The BEGIN of a transaction being opened: an atomic batch sent meanwhile waits to run inside it. */
  #beginning: Promise<unknown> | undefined
  /** The WebSocket ended under an open transaction, which the database rolled back. */
  #transactionLost = false
  #closed = false
  readonly #inFlight = new InFlightRequests()

  readonly #url: string
  readonly #options: NeonOptions
  readonly #roundTrips: RoundTrips

  constructor(url: string, options: NeonOptions, roundTrips: RoundTrips) {
    this.#url = url
    this.#options = options
    this.#roundTrips = roundTrips
    const interactive = options.webSocket !== false
    this.capabilities = Object.freeze({
      interactiveTransactions: interactive,
      batch: true,
      savepoints: interactive,
      returning: true,
      readOnlyTransactions: true,
    })
  }

  get inTransaction(): boolean {
    return this.#inTransaction
  }

  // Calls are tracked until they settle, a connect or a BEGIN they wait for included: close() lets
  // those made before it end first.

  execute(query: Query): Promise<QueryResult> {
    return this.#inFlight.track(this.#execute(query))
  }

  async #execute(query: Query): Promise<QueryResult> {
    this.#throwIfTransactionLost()
    if (this.#options.mode === "websocket") await this.#connect()
    if (this.#client) return this.#viaWebSocket("execute", query)
    const [result] = await this.#viaHttp("execute", [query])
    return result as QueryResult
  }

  /** One HTTP request, atomic; inside an open interactive transaction, statements run on it in order. */
  batch(queries: readonly Query[], options?: TransactionOptions): Promise<QueryResult[]> {
    return this.#inFlight.track(this.#batch(queries, options))
  }

  async #batch(queries: readonly Query[], options: TransactionOptions = {}): Promise<QueryResult[]> {
    this.#throwIfTransactionLost()
    // An unknown isolation level is refused before anything is sent, over HTTP too.
    beginSql(options)
    // On the socket a transaction is being opened on (its BEGIN out), a batch's own BEGIN ... COMMIT
    // would commit it there and then (PostgreSQL only warns of a BEGIN inside one): the batch waits and
    // runs inside it. Over HTTP a batch is a transaction of its own, as before. Awaited only when there
    // is one: a batch must be sent before a close() that follows its call.
    if (this.#beginning && this.#options.mode === "websocket") await this.#beginning.catch(() => undefined)
    if (this.#inTransaction) return this.#inOrder(queries)
    // One statement is atomic and one snapshot by itself: with no transaction options, it goes plain.
    const plain = queries.length === 1 && Object.keys(options).length === 0
    if (this.#options.mode !== "websocket")
      return this.#viaHttp(plain ? "execute" : "batch", queries, options)
    const script = inlineScript(queries)
    if (script !== undefined) return this.#scriptViaWebSocket(script, queries, options)
    if (plain) return [await this.#execute(queries[0] as Query)]
    await this.#connect()
    // BEGIN, the statements and COMMIT go out together, in order, so that nothing else sent on the socket
    // meanwhile (a Promise.all) runs inside this transaction and is undone with it; the connection is
    // not inside a transaction of its own. After a failed statement, PostgreSQL ignores the rest and
    // answers the COMMIT with a rollback; the first failure, in order, is the batch's.
    const results = await Promise.all([
      this.#viaWebSocket("begin", { sql: beginSql(options), params: [] }),
      ...queries.map((query) => this.#viaWebSocket("execute", query)),
      this.#viaWebSocket("commit", { sql: "COMMIT", params: [] }),
    ])
    return results.slice(1, -1)
  }

  async #inOrder(queries: readonly Query[]): Promise<QueryResult[]> {
    const results: QueryResult[] = []
    for (const query of queries) results.push(await this.#viaWebSocket("execute", query))
    return results
  }

  // begin, commit and rollback are called by the Connection only when it knows a transaction can begin,
  // or is open: it checks `capabilities` and `inTransaction` and says what is wrong.

  async begin(options: TransactionOptions = {}): Promise<void> {
    const begin = { sql: beginSql(options), params: [] }
    this.#beginning = this.#inFlight.track(this.#connect().then(() => this.#viaWebSocket("begin", begin)))
    try {
      await this.#beginning
    } finally {
      this.#beginning = undefined
    }
    this.#inTransaction = true
  }

  async commit(): Promise<void> {
    this.#throwIfTransactionLost()
    this.#inTransaction = false
    await this.#viaWebSocket("commit", { sql: "COMMIT", params: [] })
  }

  async rollback(): Promise<void> {
    this.#inTransaction = false
    // The database rolled back a transaction whose socket ended: nothing is left to do.
    if (this.#transactionLost) this.#transactionLost = false
    else await this.#viaWebSocket("rollback", { sql: "ROLLBACK", params: [] })
  }

  /**
   * Ends the WebSocket client: Terminate, then the server closes (and rolls back what is open).
   * Statements already sent, on the socket or over HTTP, end first; a server or network that no longer
   * answers is given `closeTimeoutMs` in all, then what still runs is cancelled, the socket abandoned
   * and HTTP requests aborted: close() always settles, and leaves nothing open.
   */
  async close(deadline = Date.now() + (this.#options.closeTimeoutMs ?? CLOSE_TIMEOUT_MS)): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    // `return session.scalar(...)` inside `await using` closes the session before its query answers.
    await this.#inFlight.abandon(deadline)
    const client = this.#client
    this.#client = undefined
    this.#inTransaction = false
    if (this.#connecting) abandon(this.#connecting)
    this.#connecting = undefined
    if (client) {
      // A statement still running (waiting on a lock, say) would not see the socket end: cancel it.
      this.#cancelRunning(client)
      if (!(await settledWithin(client.end(), deadline - Date.now()))) abandon(client)
    }
  }

  /** The socket, opened once: statements sent at once while it connects all wait for the one connect. */
  #connect(): Promise<void> {
    if (this.#client) return Promise.resolve()
    this.#connected ??= this.#openWebSocket().finally(() => {
      this.#connected = undefined
    })
    return this.#connected
  }

  async #openWebSocket(): Promise<void> {
    this.#ensureOpen()
    const client = new Client({ connectionString: this.#url })
    applyWebSocketSettings(client.neonConfig, this.#options)
    // A dropped socket surfaces on the next query; an unhandled 'error' event would crash a Node process.
    client.on("error", () => undefined)
    this.#connecting = client
    try {
      await this.#overWebSocket("connect", [], () => client.connect())
      // close() gave up waiting for it, and abandoned it: it is of no use any more.
      if (this.#connecting !== client)
        throw new InvalidRequestError("This connection was closed while it connected")
    } catch (error) {
      abandon(client)
      // Nothing of the caller's was sent: a commit that needed this connection certainly did not happen.
      throw unsent(error)
    } finally {
      this.#connecting = undefined
    }
    this.#client = client
    // Ended by the server or the network: `end()` would wait for an end that already happened.
    client.once("end", () => {
      if (this.#client !== client) return
      this.#client = undefined
      if (this.#inTransaction) this.#transactionLost = true
    })
  }

  /** A call inside a transaction whose socket ended; the transaction is over (it was rolled back). */
  #throwIfTransactionLost(): void {
    if (!this.#transactionLost) return
    this.#transactionLost = false
    this.#inTransaction = false
    throw unsent(new Error("Connection terminated unexpectedly: the database rolled the transaction back"))
  }

  /** A whole batch in one Query message: one round trip, one implicit transaction (see ./inline-script.ts). */
  async #scriptViaWebSocket(
    script: string,
    queries: readonly Query[],
    options: TransactionOptions,
  ): Promise<QueryResult[]> {
    await this.#connect()
    const client = this.#client as Client
    // Transaction options need an explicit BEGIN in the script; its result and COMMIT's are dropped.
    const explicit = Object.keys(options).length > 0
    const text = explicit ? `${beginSql(options)}\n;\n${script}\n;\nCOMMIT` : script
    return this.#overWebSocket("batch", queries, async () => {
      const answer: unknown = await client
        .query({ text, rowMode: "array", ...optionsOf() })
        .catch(async (error: unknown) => {
          // A failed statement leaves an explicit transaction open (aborted): end it.
          if (explicit) await client.query("ROLLBACK").catch(() => undefined)
          throw error
        })
      const all = (Array.isArray(answer) ? answer : [answer]).map(resultOf)
      const results = explicit ? all.slice(1, -1) : all
      // One result per statement, or the script did not split as its statements did: say so, loudly.
      // The script succeeded, so its implicit transaction committed: say that too.
      if (results.length !== queries.length) {
        throw new InvalidRequestError(
          `A batch of ${queries.length} statements came back with ${results.length} results; it was applied`,
        )
      }
      return results
    })
  }

  #viaWebSocket(kind: RoundTrip["kind"], query: Query): Promise<QueryResult> {
    const client = this.#client
    if (!client) return Promise.reject(unsent(new Error("Connection terminated unexpectedly")))
    return this.#overWebSocket(kind, [query], async () =>
      resultOf(
        await client.query({
          text: query.sql,
          values: [...query.params],
          rowMode: "array",
          ...optionsOf(),
        }),
      ),
    )
  }

  #overWebSocket<T>(
    kind: RoundTrip["kind"],
    statements: readonly Query[],
    send: () => Promise<T>,
  ): Promise<T> {
    // The socket this round trip goes out on: the one a timeout abandons, whatever is current by then.
    const socket = this.#client ?? this.#connecting
    // Tracked, for close() to let it end first.
    return this.#inFlight.track(
      measured(this.#roundTrips, { transport: "websocket", kind, statements }, () =>
        answeredWithin(this.#options.requestTimeoutMs, send, () => this.#abandonSocket(socket)),
      ),
    )
  }

  /** Ends a socket a round trip timed out on; a transaction open on it is gone (the database rolls it back). */
  #abandonSocket(socket: Client | undefined): void {
    if (!socket) return
    if (this.#client === socket) {
      this.#client = undefined
      // The next call inside the transaction says it is over.
      if (this.#inTransaction) this.#transactionLost = true
    }
    this.#cancelRunning(socket)
    abandon(socket)
  }

  /**
   * Asks PostgreSQL to cancel the statement `client` is running, as psql's Ctrl-C does: a
   * CancelRequest with the backend's key, on a socket of its own. A backend waiting on a lock reads
   * nothing from its client, so ending the socket alone would leave its transaction open, holding every
   * lock it took, until the lock it waits for is granted. Once cancelled, the backend sees its socket
   * gone and rolls back. Best effort: the request socket is abandoned after `closeTimeoutMs`.
   */
  #cancelRunning(client: Client): void {
    const running = client as unknown as { activeQuery?: unknown; processID?: number | null }
    if (!running.activeQuery || !running.processID) return
    const canceller = new Client({ connectionString: this.#url })
    applyWebSocketSettings(canceller.neonConfig, this.#options)
    canceller.on("error", () => undefined)
    try {
      ;(canceller as unknown as { cancel(target: Client, query: unknown): void }).cancel(
        client,
        running.activeQuery,
      )
    } catch {
      // The driver could not even open the socket: there is nothing more to try.
    }
    const timer = setTimeout(() => abandon(canceller), this.#options.closeTimeoutMs ?? CLOSE_TIMEOUT_MS)
    // PostgreSQL closes a cancel request's socket once read: nothing is left to wait for.
    ;(canceller as unknown as { connection: { once(event: "end", then: () => void): void } }).connection.once(
      "end",
      () => clearTimeout(timer),
    )
  }

  #viaHttp(kind: RoundTrip["kind"], queries: readonly Query[], options: TransactionOptions = {}) {
    this.#ensureOpen()
    const sql = httpQuery(this.#url)
    // Each request its own fetch hook, which reports what that request carries and is aborted by its
    // timeout alone: calls of one connection may be under way at once (Promise.all), and the driver
    // fetches after awaits of its own.
    const abort = new AbortController()
    const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
      measured(this.#roundTrips, { transport: "http", kind, statements: queries }, () =>
        this.#inFlight.fetch(input, init, abort).catch((error: Error) => {
          throw LOCAL.test(this.#url) && !this.#options.fetchEndpoint
            ? new TypeError(`${error.message}: ${LOCAL_HINT}`, { cause: error })
            : error
        }),
      )
    // The driver reads the endpoint and fetch settings when its query starts: `then` starts it, here,
    // while they are in place (its query is lazy until then).
    const send = () =>
      withHttpSettings(this.#options, fetch, () => {
        if (kind !== "batch") {
          const [query] = queries as [Query]
          return sql.query(query.sql, [...query.params], optionsOf()).then(oneResult)
        }
        return sql
          .transaction(
            queries.map((q) => sql.query(q.sql, [...q.params], optionsOf())),
            {
              arrayMode: true,
              fullResults: true,
              // The driver reads an undefined option as one not given (its types do not say so).
              isolationLevel: options.isolationLevel && httpIsolationLevel(options.isolationLevel),
              readOnly: options.readOnly,
              deferrable: options.deferrable,
            } as HTTPTransactionOptions<true, true>,
          )
          .then(
            (results: FullQueryResults<true>[]) => results.map(resultOf),
            // Answered 507 (its rows were too large to send), a batch was rolled back: Neon's proxy
            // commits a batch only once every row is read (sql_over_http.rs, BatchQueryData::process).
            (error: unknown) => {
              throw /status 507/.test(error as string) ? unsent(error) : error
            },
          )
      })
    return this.#inFlight.roundTrip(this.#options.requestTimeoutMs, send, abort)
  }

  #ensureOpen(): void {
    if (this.#closed) throw new InvalidRequestError("This connection is closed; open a new one")
  }
}

type HttpQuery = ReturnType<typeof neon<true, true>>
let lastHttpQuery: { readonly url: string; readonly sql: HttpQuery } | undefined

/**
 * The driver's HTTP query function for a URL. It holds no I/O and no state of a request (the endpoint
 * and fetch are read from the globals set around each call), so connections share it: one per URL
 * seen last, as an app talks to one database.
 */
function httpQuery(url: string): HttpQuery {
  if (lastHttpQuery?.url !== url) {
    lastHttpQuery = { url, sql: neon<true, true>(url, { arrayMode: true, fullResults: true }) }
  }
  return lastHttpQuery.sql
}

/**
 * Closes the client's WebSocket at once, without the close handshake (a silent peer would hold `ws` for
 * 30 s). The driver exposes no way to do it: this reaches its socket shim, and does nothing if absent.
 */
function abandon(client: Client): void {
  const connection = (client as unknown as { connection?: { stream?: { ws?: unknown } } }).connection
  const socket = connection?.stream?.ws as { terminate?: () => void; close?: () => void } | undefined
  try {
    if (socket?.terminate) socket.terminate()
    else socket?.close?.()
  } catch {
    // Already closed: nothing is left to abandon.
  }
}

/**
 * The BEGIN of a transaction with `options`. The level is written into it: one PostgreSQL does not know
 * is refused, or a ReadSession's or a connection's `begin({ isolationLevel })` would run any text as SQL
 * (AsyncSession checks its options before; these do not, to keep the read path small).
 */
function beginSql({ isolationLevel: level, readOnly, deferrable }: TransactionOptions): string {
  if (level && !/^(read (un)?committed|repeatable read|serializable)$/.test(level)) {
    throw new InvalidRequestError(`isolationLevel ${JSON.stringify(level)} is not one PostgreSQL knows`)
  }
  const isolation = level ? ` ISOLATION LEVEL ${level.toUpperCase()}` : ""
  return `BEGIN${isolation}${readOnly ? " READ ONLY" : ""}${deferrable ? " DEFERRABLE" : ""}`
}

/** A result of the driver, from either mode (in array row mode), as the transport's. */
function resultOf(result: {
  fields: readonly { name: string }[]
  rows: unknown[][]
  rowCount: number | null
}): QueryResult {
  return { columns: result.fields.map((f) => f.name), rows: result.rows, rowsAffected: result.rowCount ?? 0 }
}

function oneResult(result: FullQueryResults<true>): QueryResult[] {
  return [resultOf(result)]
}
