// Connections to the one upstream PostgreSQL, kept per (user, database). A connection goes back to
// the pool only when it is idle outside any transaction; anything else is closed. Neon pools HTTP
// connections only for requests that opt in (`Neon-Pool-Opt-In: true`, which the driver does not
// send): every other request meets a fresh session. Here connections are kept for speed, so one that
// did not opt in is reset first (DISCARD ALL: settings, advisory locks, temp tables, prepared
// statements), before the request is answered and before another request may take it.
//
// At most `maxConnections` are open at once (in use, idle, or being opened), so that requests stuck
// behind a lock cannot use up PostgreSQL's max_connections: a request beyond them waits for one, in
// order of arrival. A connection PostgreSQL ended (pg_terminate_backend, idle_session_timeout, a
// restart) leaves the pool as soon as node-postgres notices, so no request is handed a dead session.
import pg from "pg"
import { type BackendKey, cancelRunningQuery, sendCancelRequest } from "./query-cancel.ts"

export interface PoolLimits {
  /** Most upstream connections open at once for SQL over HTTP. */
  maxConnections: number
  /** How long a request may wait for a connection before it is refused (PoolExhausted). */
  queueTimeoutMs: number
}

/** Well under PostgreSQL's default max_connections (100), which WebSocket clients share. */
export const DEFAULT_POOL_LIMITS: PoolLimits = { maxConnections: 20, queueTimeoutMs: 30_000 }

/** Idle connections kept per user and database; more are closed on release. */
const MAX_IDLE_PER_KEY = 8

/**
 * No connection came free in time. It carries what PostgreSQL (and Neon, which passes it on) says when
 * a compute has no connection left, and a detail that names the setting to raise.
 */
export class PoolExhausted extends Error {
  readonly code = "53300"
  readonly severity = "FATAL"
  readonly detail: string

  constructor(limits: PoolLimits) {
    super("sorry, too many clients already")
    this.detail =
      `neon-local opens at most ${limits.maxConnections} PostgreSQL connections for SQL over HTTP and ` +
      `none came free within ${limits.queueTimeoutMs} ms: raise maxConnections (--max-connections) ` +
      "or look for requests waiting on a lock"
  }
}

/** The pool was closed (neon-local is stopping) while a request waited for a connection. */
export class PoolClosed extends Error {
  constructor() {
    super("neon-local is stopping")
  }
}

interface Waiter {
  user: string
  database: string
  resolve(client: pg.Client): void
  reject(error: unknown): void
  /** Stops the wait's timer and abort listener. */
  settle(): void
}

export class UpstreamPool {
  readonly #idle = new Map<string, pg.Client[]>()
  readonly #busy = new Set<pg.Client>()
  readonly #waiters: Waiter[] = []
  readonly #upstream: URL
  readonly #limits: PoolLimits
  /** CancelRequests on their way to PostgreSQL. */
  readonly #cancels = new Set<Promise<void>>()
  #opening = 0

  constructor(upstream: string, limits: Partial<PoolLimits> = {}) {
    this.#upstream = new URL(upstream)
    this.#limits = { ...DEFAULT_POOL_LIMITS, ...limits }
  }

  get host(): string {
    return this.#upstream.hostname
  }

  get port(): number {
    return Number(this.#upstream.port || 5432)
  }

  /** Connections open now: in use, idle, or being opened. */
  get size(): number {
    let idle = 0
    for (const clients of this.#idle.values()) idle += clients.length
    return this.#busy.size + idle + this.#opening
  }

  /** A connection for `user` into `database`; waits while `maxConnections` are open. A request whose
   *  client went away (`signal`) stops waiting. */
  acquire(user: string, database: string, signal?: AbortSignal): Promise<pg.Client> {
    signal?.throwIfAborted()
    if (this.#waiters.length === 0) {
      const ready = this.#takeOrOpen(user, database)
      if (ready) return ready
    }
    return this.#wait(user, database, signal)
  }

  /**
   * Returns a connection; one that failed, or is inside a transaction, is closed instead. Its session
   * is reset before reuse unless the request opted in to Neon's pooling (`keepSession`).
   */
  async release(
    client: pg.Client,
    user: string,
    database: string,
    healthy: boolean,
    keepSession = false,
  ): Promise<void> {
    // 'I' is PostgreSQL's ReadyForQuery status for idle outside a transaction.
    const outsideTransaction =
      (client as unknown as { getTransactionStatus(): string | null }).getTransactionStatus() === "I"
    if (healthy && outsideTransaction && !keepSession) {
      // Before the request is answered: what it locked is free when its client goes on.
      healthy = await client.query("DISCARD ALL").then(
        () => true,
        () => false,
      )
    }
    if (!healthy || !outsideTransaction) {
      this.#busy.delete(client)
      client.end().catch(() => undefined)
    } else {
      this.#keep(client, user, database)
    }
    this.#serveWaiters()
  }

  /**
   * Cancels what `client` runs (a CancelRequest, as Neon's proxy sends when an HTTP client goes away).
   * close() waits for every cancel: a process that exits right after stopping (the CLI) would
   * otherwise exit before the request is written, and the statement would run on, a write committing
   * after neon-local stopped.
   */
  cancel(client: pg.Client): void {
    this.#track(cancelRunningQuery(client, this.host, this.port))
  }

  /** Cancels what the upstream session `key` names runs (a WebSocket session's), tracked as cancel(). */
  cancelBackend(key: BackendKey): void {
    this.#track(sendCancelRequest(this.host, this.port, key))
  }

  #track(sent: Promise<void>): void {
    this.#cancels.add(sent)
    void sent.finally(() => this.#cancels.delete(sent))
  }

  async close(): Promise<void> {
    // What runs now is abandoned: cancelled first, as for a client that goes away (ending the
    // connection alone does not stop a statement: PostgreSQL reads the Terminate only after it). A
    // PostgreSQL that does not answer holds the stop no more than a second.
    for (const client of this.#busy) this.cancel(client)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled([...this.#cancels]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 1_000)
      }),
    ])
    clearTimeout(timer)
    for (const waiter of this.#waiters.splice(0)) {
      waiter.settle()
      waiter.reject(new PoolClosed())
    }
    const all = [...this.#busy, ...[...this.#idle.values()].flat()]
    this.#idle.clear()
    this.#busy.clear()
    await Promise.all(all.map((client) => client.end().catch(() => undefined)))
  }

  /** An idle connection, or a new one when there is room (closing another key's idle one if need be);
   *  undefined when `maxConnections` are in use. */
  #takeOrOpen(user: string, database: string): Promise<pg.Client> | undefined {
    const idle = this.#idle.get(key(user, database))?.pop()
    if (idle) {
      this.#busy.add(idle)
      return Promise.resolve(idle)
    }
    if (this.size >= this.#limits.maxConnections && !this.#closeAnyIdle()) return undefined
    return this.#open(user, database)
  }

  #wait(user: string, database: string, signal: AbortSignal | undefined): Promise<pg.Client> {
    return new Promise((resolve, reject) => {
      const leave = (error: unknown) => {
        const index = this.#waiters.indexOf(waiter)
        if (index >= 0) this.#waiters.splice(index, 1)
        waiter.settle()
        reject(error)
      }
      const timer = setTimeout(() => leave(new PoolExhausted(this.#limits)), this.#limits.queueTimeoutMs)
      const abandon = () => leave(signal?.reason)
      signal?.addEventListener("abort", abandon, { once: true })
      const waiter: Waiter = {
        user,
        database,
        resolve,
        reject,
        settle: () => {
          clearTimeout(timer)
          signal?.removeEventListener("abort", abandon)
        },
      }
      this.#waiters.push(waiter)
    })
  }

  /** Hands connections to waiting requests, first come first served, while there is room. */
  #serveWaiters(): void {
    for (;;) {
      const waiter = this.#waiters[0]
      if (!waiter) return
      const ready = this.#takeOrOpen(waiter.user, waiter.database)
      if (!ready) return
      this.#waiters.shift()
      waiter.settle()
      ready.then(waiter.resolve, waiter.reject)
    }
  }

  #keep(client: pg.Client, user: string, database: string): void {
    if (!this.#busy.delete(client)) return // ended meanwhile
    const idle = this.#idle.get(key(user, database)) ?? []
    if (idle.length >= MAX_IDLE_PER_KEY) client.end().catch(() => undefined)
    else this.#idle.set(key(user, database), [...idle, client])
  }

  #closeAnyIdle(): boolean {
    for (const clients of this.#idle.values()) {
      const client = clients.shift()
      if (client) {
        client.end().catch(() => undefined)
        return true
      }
    }
    return false
  }

  /** PostgreSQL ended the connection: it must never be handed out again, and its place is free. */
  #forget(client: pg.Client): void {
    this.#busy.delete(client)
    for (const clients of this.#idle.values()) {
      const index = clients.indexOf(client)
      if (index >= 0) clients.splice(index, 1)
    }
    this.#serveWaiters()
  }

  async #open(user: string, database: string): Promise<pg.Client> {
    const client = new pg.Client({
      host: this.host,
      port: this.port,
      user,
      database,
      password: decodeURIComponent(this.#upstream.password) || undefined,
    })
    // An idle connection's 'error' (PostgreSQL terminated it) comes before its 'end'; a busy one's
    // reaches its request through the query instead. Either way the connection is finished.
    client.on("error", () => this.#forget(client))
    client.on("end", () => this.#forget(client))
    this.#opening++
    try {
      await client.connect()
    } catch (error) {
      this.#opening--
      this.#serveWaiters()
      throw error
    }
    this.#opening--
    this.#busy.add(client)
    return client
  }
}

function key(user: string, database: string): string {
  return `${user}\u0000${database}`
}

/** Whether a PostgreSQL answers at `url`; the error message when it does not. */
export async function probeUpstream(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.end()
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
