// Connections to the one upstream PostgreSQL, kept per (user, database). A connection goes back to
// the pool only when it is idle outside any transaction; anything else is closed.
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

  /** Returns a connection; one that failed, or is inside a transaction, is closed instead. */
  release(client: pg.Client, user: string, database: string, healthy: boolean): void {
    this.#busy.delete(client)
    // 'I' is PostgreSQL's ReadyForQuery status for idle outside a transaction.
    const outsideTransaction =
      (client as unknown as { getTransactionStatus(): string | null }).getTransactionStatus() === "I"
    if (!healthy || !outsideTransaction) {
      client.end().catch(() => undefined)
      return
    }
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
