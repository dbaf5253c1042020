// What the engine asks of a driver: run `(sql, params)` and return rows, alone, as an atomic batch, or
// inside an interactive transaction. A transport is one connection's way to the database; it opens
// nothing until first used and reports each round trip so callers can count and time them.
import type { EdgeAlchemyError } from "../errors.ts"

/**
 * How long `close()` waits for the database to acknowledge (a WebSocket's end, a stream's rollback)
 * before it abandons the socket or request: long enough for a slow network, short enough not to hold
 * a request that closes its session before answering.
 */
export const CLOSE_TIMEOUT_MS = 1_000

export interface Query {
  readonly sql: string
  readonly params: readonly unknown[]
}

export interface QueryResult {
  readonly columns: readonly string[]
  readonly rows: readonly (readonly unknown[])[]
  /** Rows inserted, updated or deleted; for a SELECT, what the driver reports (often 0). */
  readonly rowsAffected: number
}

export interface Capabilities {
  /** BEGIN ... COMMIT with statements in between, each answered before the next is sent. */
  readonly interactiveTransactions: boolean
  /** Several statements sent as one atomic request. */
  readonly batch: boolean
  readonly savepoints: boolean
  readonly returning: boolean
  /** The database itself refuses writes in a READ ONLY transaction (else the engine refuses them). */
  readonly readOnlyTransactions: boolean
}

export type IsolationLevel = "read uncommitted" | "read committed" | "repeatable read" | "serializable"

/** Each may be `undefined`, meaning not given (as under `exactOptionalPropertyTypes`). */
export interface TransactionOptions {
  readonly isolationLevel?: IsolationLevel | undefined
  readonly readOnly?: boolean | undefined
  readonly deferrable?: boolean | undefined
}

/** One request to the database and its answer: the unit of cost at the edge. */
export interface RoundTrip {
  readonly transport: "http" | "websocket" | "embedded"
  readonly kind: "connect" | "execute" | "batch" | "begin" | "commit" | "rollback" | "close"
  readonly statements: readonly Query[]
  readonly durationMs: number
  readonly error?: unknown
}

/**
 * Where a transport reports its round trips: the engine. Listeners come and go, so it is asked per
 * request: a request nobody hears is neither timed nor reported (a one-statement read is a few tens
 * of microseconds of CPU, and its report was a visible share of them).
 */
export interface RoundTrips {
  listens(event: "roundTrip"): boolean
  emit(event: "roundTrip", roundTrip: RoundTrip): void
}

export interface Transport {
  readonly capabilities: Capabilities
  readonly inTransaction: boolean
  execute(query: Query): Promise<QueryResult>
  /** All queries in one atomic request; rolled back whole when one fails. */
  batch(queries: readonly Query[], options?: TransactionOptions): Promise<QueryResult[]>
  begin(options?: TransactionOptions): Promise<void>
  commit(): Promise<void>
  rollback(): Promise<void>
  /**
   * Rolls back an open transaction and releases everything; the transport is unusable afterwards.
   * Settles by `deadline` (epoch ms; default: closeTimeoutMs from now, CLOSE_TIMEOUT_MS unless set)
   * whatever the network does, and never rejects.
   */
  close(deadline?: number): Promise<void>
}

export interface Driver {
  /** `"neon"`, `"libsql"`: for messages. */
  readonly name: string
  /** The closeTimeoutMs the driver was given: AsyncSession.close() waits a commit under way that long. */
  readonly closeTimeoutMs?: number | undefined
  readonly dialect: "postgresql" | "sqlite"
  /** Whether this driver serves a URL (by its scheme). */
  accepts(url: string): boolean
  open(url: string, roundTrips: RoundTrips): Transport
  /** The driver's error as ours, with the statement it came from; called once, at the engine boundary. */
  translateError(error: unknown, query: Query | undefined): EdgeAlchemyError
}

/**
 * Times a request and reports it, failed or not, when anyone hears round trips; else it is the request
 * itself (no async frame around it: this is on every request's path).
 */
export function measured<T>(
  roundTrips: RoundTrips,
  info: Omit<RoundTrip, "durationMs" | "error">,
  request: () => Promise<T>,
): Promise<T> {
  return roundTrips.listens("roundTrip") ? timed(roundTrips, info, request) : request()
}

async function timed<T>(
  roundTrips: RoundTrips,
  info: Omit<RoundTrip, "durationMs" | "error">,
  request: () => Promise<T>,
): Promise<T> {
  const started = performance.now()
  try {
    const result = await request()
    roundTrips.emit("roundTrip", { ...info, durationMs: performance.now() - started })
    return result
  } catch (error) {
    roundTrips.emit("roundTrip", { ...info, durationMs: performance.now() - started, error })
    throw error
  }
}
