// Connections to the one database file. Every stream holds its own connection (so a transaction belongs
// to its stream, as in sqld); released connections are kept for reuse, clean: no open transaction and
// connection settings back to their defaults. Each connection runs on a thread of its own
// (connection.ts); starting one takes some tens of milliseconds, so one is kept ready ahead.
import { Connection } from "./connection.ts"

export { Connection } from "./connection.ts"

const MAX_IDLE_CONNECTIONS = 8

export class ConnectionPool {
  readonly #path: string
  readonly #idle: Connection[] = []
  readonly #all = new Set<Connection>()
  /** A connection being opened ahead of need. */
  #spare: Promise<Connection> | undefined
  /** Releases under way (each resets its connection on its thread). */
  readonly #releasing = new Set<Promise<void>>()
  #closed = false

  private constructor(path: string) {
    this.#path = path
  }

  /** Opens the file (creating it if need be) and puts it in WAL mode. */
  static async open(path: string): Promise<ConnectionPool> {
    const pool = new ConnectionPool(path)
    const first = await pool.#open()
    try {
      // WAL once, on the file: concurrent readers stop blocking the writer and single inserts get faster.
      await first.perform({ type: "exec", sql: "PRAGMA journal_mode = WAL" })
    } catch (error) {
      await pool.closeAll()
      throw error
    }
    pool.#idle.push(first)
    return pool
  }

  async acquire(): Promise<Connection> {
    if (this.#closed) throw new Error("libsql-local is stopping")
    const connection = this.#idle.pop() ?? (await this.#takeSpare())
    if (this.#idle.length === 0) this.#prepareSpare()
    return connection
  }

  /** Puts the connection back once its thread has reset it; one that cannot be reset is closed. */
  release(connection: Connection): Promise<void> {
    if (!this.#all.has(connection)) return Promise.resolve()
    const releasing = (async () => {
      let reusable = false
      if (!connection.lost && !this.#closed) {
        try {
          reusable = (await connection.perform<{ reusable: boolean }>({ type: "reset" })).reusable
        } catch {
          // A connection that cannot be reset is dropped below.
        }
      }
      if (reusable && !this.#closed && this.#idle.length < MAX_IDLE_CONNECTIONS) this.#idle.push(connection)
      else await this.#discard(connection)
    })()
    this.#releasing.add(releasing)
    void releasing.finally(() => this.#releasing.delete(releasing))
    return releasing
  }

  async closeAll(): Promise<void> {
    this.#closed = true
    // A release waits for its connection's reset; closing below does not wait for a thread for good.
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled([...this.#releasing]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 3_000)
      }),
    ])
    clearTimeout(timer)
    const spare = this.#spare
    this.#spare = undefined
    if (spare) await spare.then((connection) => this.#discard(connection)).catch(() => undefined)
    this.#idle.length = 0
    await Promise.allSettled([...this.#all].map((connection) => this.#discard(connection)))
  }

  async #takeSpare(): Promise<Connection> {
    const spare = this.#spare
    this.#spare = undefined
    if (spare) {
      try {
        return await spare
      } catch {
        // Opened ahead and failed: try once more, now.
      }
    }
    return this.#open()
  }

  #prepareSpare(): void {
    if (this.#spare || this.#closed) return
    const spare = this.#open()
    spare.catch(() => undefined)
    this.#spare = spare
  }

  async #open(): Promise<Connection> {
    const connection = await Connection.open(this.#path)
    if (this.#closed) {
      await connection.close()
      throw new Error("libsql-local is stopping")
    }
    this.#all.add(connection)
    return connection
  }

  async #discard(connection: Connection): Promise<void> {
    this.#all.delete(connection)
    await connection.close()
  }
}
