// Hrana-over-HTTP streams and their batons, modelled on sqld's stream state: a baton names a stream and
// a sequence number, signed with a per-server key; every response hands out the next baton, so a reused
// baton is detected. An idle stream expires (its transaction is rolled back) and its baton then answers
// STREAM_EXPIRED for a while, as sqld keeps expired handles around to give that clearer error.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import type { Connection, ConnectionPool } from "./connection-pool.ts"
import { ConnectionLimitError, ProtocolError, RequestAbandonedError, StreamExpiredError } from "./errors.ts"

/** How long an expired stream's baton keeps answering STREAM_EXPIRED (sqld: 300 s). */
const EXPIRED_MEMORY_MS = 300_000
/** sqld's limits on connections, hence on open streams (each holds one): SQLD_MAX_CONCURRENT_CONNECTIONS
 *  and SQLD_MAX_CONCURRENT_REQUESTS default to 128, and a new stream waits 1 s (DB_CREATE_TIMEOUT) for
 *  a connection to come free. Here each connection is a thread of its own (about 9 MB), so the limit
 *  also bounds what a client that never closes its streams costs. */
export const DEFAULT_MAX_CONCURRENT_CONNECTIONS = 128
const MAX_WAITING_FOR_CONNECTION = 128
export const DEFAULT_CONNECTION_WAIT_MS = 1_000

/** Leave to open one stream, given by `reserve` before the request takes its turn (lane.ts): waiting
 *  for a connection while holding the turn would keep out the very requests that close streams. */
export interface Reservation {
  used: boolean
}

export class Stream {
  /** `undefined` once the client sent `close`: the stream ends with this request. */
  connection: Connection | undefined
  sequence = 0
  expiryTimer: NodeJS.Timeout | undefined

  constructor(
    readonly id: string,
    connection: Connection | undefined,
    /** SQL texts stored with `store_sql`: the stream's own over HTTP, its WebSocket connection's (all
     *  its streams share them) over Hrana's WebSocket protocol. */
    readonly sqls = new Map<number, string>(),
  ) {
    this.connection = connection
  }
}

type Handle =
  | { state: "available"; stream: Stream }
  | { state: "acquired" }
  | { state: "expired"; at: number }

export class StreamRegistry {
  readonly #key = randomBytes(32)
  readonly #handles = new Map<string, Handle>()
  readonly #pool: ConnectionPool
  readonly #expiryMs: number
  readonly #maxConnections: number
  readonly #connectionWaitMs: number
  /** Streams that hold a connection, or a reservation for one. */
  #held = 0
  readonly #waiting: Array<() => void> = []

  constructor(
    pool: ConnectionPool,
    expiryMs: number,
    maxConnections = DEFAULT_MAX_CONCURRENT_CONNECTIONS,
    connectionWaitMs = DEFAULT_CONNECTION_WAIT_MS,
  ) {
    this.#pool = pool
    this.#expiryMs = expiryMs
    this.#maxConnections = maxConnections
    this.#connectionWaitMs = connectionWaitMs
  }

  /** Room for a new stream: at once if fewer than the limit hold a connection, otherwise the first one
   *  to come free within the wait (sqld: 1 s); sqld's 429 refusals past that (ConnectionLimitError). */
  async reserve(signal: AbortSignal): Promise<Reservation> {
    if (this.#held < this.#maxConnections && this.#waiting.length === 0) {
      this.#held++
      return { used: false }
    }
    if (this.#waiting.length >= MAX_WAITING_FOR_CONNECTION) {
      throw new ConnectionLimitError("Too many concurrent requests")
    }
    await new Promise<void>((resolve, reject) => {
      const admit = () => {
        clearTimeout(timer)
        signal.removeEventListener("abort", abandon)
        resolve()
      }
      const giveUp = (error: Error) => {
        const at = this.#waiting.indexOf(admit)
        if (at >= 0) this.#waiting.splice(at, 1)
        signal.removeEventListener("abort", abandon)
        clearTimeout(timer)
        reject(error)
      }
      const abandon = () => giveUp(new RequestAbandonedError())
      const timer = setTimeout(
        () => giveUp(new ConnectionLimitError("Timed out while opening database connection")),
        this.#connectionWaitMs,
      )
      signal.addEventListener("abort", abandon, { once: true })
      this.#waiting.push(admit)
    })
    // The slot of the stream that ended passed to this request (#free): #held is unchanged.
    return { used: false }
  }

  /** Gives back a reservation no stream took (the request failed before it opened one). */
  unreserve(reservation: Reservation | undefined): void {
    if (reservation && !reservation.used) {
      reservation.used = true
      this.#free()
    }
  }

  /** Streams a client holds open (between requests or inside one); expired ones do not count. */
  get openStreams(): number {
    let open = 0
    for (const handle of this.#handles.values()) if (handle.state !== "expired") open++
    return open
  }

  /** Opens a new stream (no baton: `reservation` is its room) or takes the stream a baton names, for
   *  the duration of one request. */
  async acquire(baton: string | undefined, reservation?: Reservation): Promise<Stream> {
    if (baton === undefined) {
      if (!reservation || reservation.used) throw new Error("libsql-local: a new stream needs a reservation")
      const connection = await this.#pool.acquire()
      reservation.used = true
      const stream = new Stream(randomBytes(16).toString("hex"), connection)
      this.#handles.set(stream.id, { state: "acquired" })
      return stream
    }
    const { id, sequence } = this.#decode(baton)
    const handle = this.#handles.get(id)
    if (!handle) throw new ProtocolError("Received an invalid baton")
    if (handle.state === "acquired") throw new ProtocolError("Received a baton that has already been used")
    if (handle.state === "expired") throw new StreamExpiredError()
    if (handle.stream.sequence !== sequence) {
      throw new ProtocolError("Received a baton that has already been used")
    }
    clearTimeout(handle.stream.expiryTimer)
    handle.stream.sequence++
    this.#handles.set(id, { state: "acquired" })
    return handle.stream
  }

  /** A stream of a Hrana WebSocket connection (websocket.ts): no baton, no expiry; it lives until the
   *  client closes it or its connection, which end it with closeConnection. */
  async openOwned(reservation: Reservation, sqls: Map<number, string>): Promise<Stream> {
    if (reservation.used) throw new Error("libsql-local: a reservation opens one stream")
    const connection = await this.#pool.acquire()
    reservation.used = true
    return new Stream(randomBytes(16).toString("hex"), connection, sqls)
  }

  /** Ends the request: returns the baton for the next one, or null if the client closed the stream. */
  release(stream: Stream): string | null {
    if (!stream.connection) {
      this.#handles.delete(stream.id)
      return null
    }
    this.#handles.set(stream.id, { state: "available", stream })
    stream.expiryTimer = setTimeout(() => this.#expire(stream), this.#expiryMs)
    stream.expiryTimer.unref()
    return this.#encode(stream.id, stream.sequence)
  }

  /** Closes the stream's connection (its thread resets it for the pool, or closes it, in the background:
   *  the pool hands it out again only once that is done); the request carries on, and `release` will end
   *  the stream. */
  closeConnection(stream: Stream): void {
    if (stream.connection) {
      void this.#pool.release(stream.connection)
      this.#free()
    }
    stream.connection = undefined
  }

  /** After a request failed with a protocol error: drop the stream and roll back its transaction, as
   *  sqld does, so that no half-done state stays behind. Its baton becomes invalid. */
  discard(stream: Stream): void {
    this.closeConnection(stream)
    this.#handles.delete(stream.id)
  }

  closeAll(): void {
    for (const [id, handle] of this.#handles) {
      if (handle.state === "available") {
        clearTimeout(handle.stream.expiryTimer)
        this.closeConnection(handle.stream)
      }
      this.#handles.delete(id)
    }
  }

  /** A stream's connection (or a reservation) is given back: the first waiter takes its place. */
  #free(): void {
    const next = this.#waiting.shift()
    if (next) next()
    else this.#held--
  }

  #expire(stream: Stream): void {
    const handle = this.#handles.get(stream.id)
    if (handle?.state !== "available" || handle.stream !== stream) return
    this.closeConnection(stream)
    const now = Date.now()
    this.#handles.set(stream.id, { state: "expired", at: now })
    for (const [id, other] of this.#handles) {
      if (other.state === "expired" && now - other.at > EXPIRED_MEMORY_MS) this.#handles.delete(id)
    }
  }

  #encode(id: string, sequence: number): string {
    const payload = `${id}.${sequence}`
    return `${payload}.${this.#sign(payload)}`
  }

  #decode(baton: string): { id: string; sequence: number } {
    const match = /^([0-9a-f]{32})\.(\d+)\.([A-Za-z0-9_-]+)$/.exec(baton)
    if (!match) throw new ProtocolError("Received an invalid baton")
    const [, id, sequence, signature] = match as unknown as [string, string, string, string]
    const expected = Buffer.from(this.#sign(`${id}.${sequence}`))
    const received = Buffer.from(signature)
    if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
      throw new ProtocolError("Received an invalid baton")
    }
    return { id, sequence: Number(sequence) }
  }

  #sign(payload: string): string {
    return createHmac("sha256", this.#key).update(payload).digest("base64url")
  }
}
