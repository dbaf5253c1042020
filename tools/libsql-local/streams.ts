// Hrana-over-HTTP streams and their batons, modelled on sqld's stream state: a baton names a stream and
// a sequence number, signed with a per-server key; every response hands out the next baton, so a reused
// baton is detected. An idle stream expires (its transaction is rolled back) and its baton then answers
// STREAM_EXPIRED for a while, as sqld keeps expired handles around to give that clearer error.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import type { Connection, ConnectionPool } from "./connection-pool.ts"
import { ProtocolError, StreamExpiredError } from "./errors.ts"

/** How long an expired stream's baton keeps answering STREAM_EXPIRED (sqld: 300 s). */
const EXPIRED_MEMORY_MS = 300_000

export class Stream {
  /** `undefined` once the client sent `close`: the stream ends with this request. */
  connection: Connection | undefined
  /** SQL texts stored with `store_sql`; they belong to this stream only. */
  readonly sqls = new Map<number, string>()
  sequence = 0
  expiryTimer: NodeJS.Timeout | undefined

  constructor(
    readonly id: string,
    connection: Connection,
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

  constructor(pool: ConnectionPool, expiryMs: number) {
    this.#pool = pool
    this.#expiryMs = expiryMs
  }

  /** Streams a client holds open (between requests or inside one); expired ones do not count. */
  get openStreams(): number {
    let open = 0
    for (const handle of this.#handles.values()) if (handle.state !== "expired") open++
    return open
  }

  /** Opens a new stream (no baton) or takes the stream a baton names, for the duration of one request. */
  async acquire(baton: string | undefined): Promise<Stream> {
    if (baton === undefined) {
      const stream = new Stream(randomBytes(16).toString("hex"), await this.#pool.acquire())
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
    if (stream.connection) void this.#pool.release(stream.connection)
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
