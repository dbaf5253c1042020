// Connections to the one database file. Every stream holds its own connection (so a transaction belongs
// to its stream, as in sqld); released connections are kept for reuse, clean: no open transaction and
// connection settings back to their defaults.
import { type NativeConnection, type NativeStatement, openConnection } from "./native-database.ts"

export type Connection = NativeConnection

const MAX_IDLE_CONNECTIONS = 8

/**
 * The statements that put a connection back to its defaults, prepared when it opens: preparing is
 * asynchronous, and a release must not be (streams are released from timers and from stop()).
 */
interface Reset {
  rollback: NativeStatement
  foreignKeysOn: NativeStatement
  tempObjects: NativeStatement
}

export class ConnectionPool {
  readonly #path: string
  readonly #idle: Connection[] = []
  readonly #all = new Map<Connection, Reset>()

  private constructor(path: string) {
    this.#path = path
  }

  /** Opens the file (creating it if need be) and puts it in WAL mode. */
  static async open(path: string): Promise<ConnectionPool> {
    const pool = new ConnectionPool(path)
    // WAL once, on the file: concurrent readers stop blocking the writer and single inserts get faster.
    const first = await pool.#open()
    await first.exec("PRAGMA journal_mode = WAL")
    pool.#idle.push(first)
    return pool
  }

  async acquire(): Promise<Connection> {
    return this.#idle.pop() ?? (await this.#open())
  }

  release(connection: Connection): void {
    const reset = this.#all.get(connection)
    if (!reset) return
    let reusable = false
    try {
      reusable = resetConnection(connection, reset)
    } catch {
      // A connection that cannot be reset is dropped below.
    }
    if (!reusable) {
      this.#discard(connection)
      return
    }
    if (this.#idle.length < MAX_IDLE_CONNECTIONS) this.#idle.push(connection)
    else this.#discard(connection)
  }

  closeAll(): void {
    for (const connection of [...this.#all.keys()]) this.#discard(connection)
    this.#idle.length = 0
  }

  async #open(): Promise<Connection> {
    const connection = openConnection(this.#path)
    try {
      this.#all.set(connection, {
        rollback: await connection.prepare("ROLLBACK"),
        // The only connection setting sqld lets a client change; a pooled connection must not carry it over.
        foreignKeysOn: await connection.prepare("PRAGMA foreign_keys = ON"),
        tempObjects: (await connection.prepare("SELECT 1 FROM temp.sqlite_master LIMIT 1")).raw(true),
      })
    } catch (error) {
      connection.close()
      throw error
    }
    return connection
  }

  #discard(connection: Connection): void {
    const reset = this.#all.get(connection)
    this.#all.delete(connection)
    try {
      // close() alone does not release the locks of an open transaction (measured with libsql 0.5.29).
      if (connection.inTransaction) reset?.rollback.run()
      connection.close()
    } catch {
      // The connection is being dropped anyway; nothing else can be done about it.
    }
  }
}

/** Puts a released connection back to its defaults; false when it cannot be reused. */
function resetConnection(connection: Connection, reset: Reset): boolean {
  if (connection.inTransaction) reset.rollback.run()
  reset.foreignKeysOn.run()
  // Temp tables, views and triggers belong to the connection: another stream must never meet them.
  // The analysis refuses their creation; a connection that has some all the same is not reused.
  return reset.tempObjects.get() === undefined
}
