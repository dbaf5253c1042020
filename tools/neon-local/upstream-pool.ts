// Connections to the one upstream PostgreSQL, kept per (user, database). A connection goes back to
// the pool only when it is idle outside any transaction; anything else is closed. Neon pools HTTP
// connections only for requests that opt in (`Neon-Pool-Opt-In: true`, which the driver does not
// send): every other request meets a fresh session. Here connections are kept for speed, so one that
// did not opt in is reset first (DISCARD ALL: settings, advisory locks, temp tables, prepared
// statements), before the request is answered and before another request may take it.
import pg from "pg"

export class UpstreamPool {
  readonly #idle = new Map<string, pg.Client[]>()
  readonly #busy = new Set<pg.Client>()
  readonly #upstream: URL

  constructor(upstream: string) {
    this.#upstream = new URL(upstream)
  }

  get host(): string {
    return this.#upstream.hostname
  }

  get port(): number {
    return Number(this.#upstream.port || 5432)
  }

  async acquire(user: string, database: string): Promise<pg.Client> {
    const key = `${user}\u0000${database}`
    const client = this.#idle.get(key)?.pop() ?? (await this.connect(user, database))
    this.#busy.add(client)
    return client
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
      return
    }
    this.#keep(client, user, database)
  }

  #keep(client: pg.Client, user: string, database: string): void {
    if (!this.#busy.delete(client)) return // closed meanwhile
    const key = `${user}\u0000${database}`
    const idle = this.#idle.get(key) ?? []
    if (idle.length >= 8) client.end().catch(() => undefined)
    else this.#idle.set(key, [...idle, client])
  }

  async close(): Promise<void> {
    const all = [...this.#busy, ...[...this.#idle.values()].flat()]
    this.#idle.clear()
    this.#busy.clear()
    await Promise.all(all.map((client) => client.end().catch(() => undefined)))
  }

  private async connect(user: string, database: string): Promise<pg.Client> {
    const client = new pg.Client({
      host: this.host,
      port: this.port,
      user,
      database,
      password: decodeURIComponent(this.#upstream.password) || undefined,
    })
    client.on("error", () => undefined)
    await client.connect()
    return client
  }
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
