// One connection to an embedded libSQL database (`file:`, `:memory:`) through the native @libsql/client,
// Node only (./node.ts). Turso over HTTP speaks Hrana itself (./hrana.ts). Interactive transactions run
// on the client's transactions. Integers are read as bigint (a number above 2^53 would otherwise make
// the whole query throw) and converted per column by the dialect.
import type { Client, Config, InArgs, ResultSet, Transaction } from "@libsql/client"
import { InvalidRequestError } from "../../errors.ts"
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
import { CAPABILITIES, isRead } from "./reads.ts"

export type CreateClient = (config: Config) => Client

export interface LibsqlTransportSettings {
  readonly url: string
  readonly createClient: CreateClient
  /** How long close() waits for statements under way before it closes the client (default 1000 ms). */
  readonly closeTimeoutMs?: number | undefined
}

export class LibsqlTransport implements Transport {
  readonly capabilities = CAPABILITIES
  #client: Client | undefined
  #transaction: Transaction | undefined
  #closed = false
  /** Statements under way, for close() to let them end first. */
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
    return this.#request("execute", [query], async () =>
      toResult(await (transaction ?? this.#openClient).execute(statement), query),
    )
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
        : await this.#openClient.batch(
            statements,
            options.readOnly || queries.every(isRead) ? "read" : "write",
          )
      return results.map((result, i) => toResult(result, queries[i] as Query))
    })
  }

  // begin, commit and rollback are called by the Connection only when it knows a transaction is not
  // open, or is: it checks `inTransaction` and says what is wrong.

  /**
   * Opens a transaction on the client. SQLite transactions are serializable whatever level is asked:
   * stronger than any level, so every request is honoured.
   */
  async begin(options: TransactionOptions = {}): Promise<void> {
    const mode = options.readOnly ? "read" : "write"
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
   * Rolls back an open transaction and closes the client. Statements already sent get `closeTimeoutMs`
   * in all to end (`return session.scalar(...)` inside `await using` closes the session before its
   * query answers): closing the client would cut them.
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
      await this.#inFlight.abandon(deadline)
      this.#client?.close()
    }
  }

  get #openClient(): Client {
    if (this.#closed) throw new InvalidRequestError("This connection is closed; open a new one")
    this.#client ??= this.#settings.createClient({ url: this.#settings.url, intMode: "bigint" })
    return this.#client
  }

  /** A request to the database, reported as an embedded round trip and tracked until it settles. */
  #request<T>(kind: RoundTrip["kind"], statements: readonly Query[], send: () => Promise<T>): Promise<T> {
    return this.#inFlight.track(measured(this.#roundTrips, { transport: "embedded", kind, statements }, send))
  }
}

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
