// Connections to the one database file. Every stream holds its own connection (so a transaction belongs
// to its stream, as in sqld); released connections are kept for reuse, clean: no open transaction and
// connection settings back to their defaults.
import { createRequire } from "node:module"
import type LibsqlDatabase from "libsql"

// `libsql` is a CommonJS module with a native addon; load it with require so both tsx and vitest agree.
const Database = createRequire(import.meta.url)("libsql") as typeof LibsqlDatabase

export type Connection = LibsqlDatabase.Database
export type PreparedStatement = LibsqlDatabase.Statement<unknown[]>

const MAX_IDLE_CONNECTIONS = 8

export class ConnectionPool {
  readonly #path: string
  readonly #idle: Connection[] = []
  readonly #all = new Set<Connection>()

  constructor(path: string) {
    this.#path = path
    // WAL once, on the file: concurrent readers stop blocking the writer and single inserts get faster.
    const first = this.#open()
    first.prepare("PRAGMA journal_mode = WAL").all()
    this.#idle.push(first)
  }

  acquire(): Connection {
    return this.#idle.pop() ?? this.#open()
  }

  release(connection: Connection): void {
    if (!this.#all.has(connection)) return
    let reusable = false
    try {
      reusable = resetConnection(connection)
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
    for (const connection of [...this.#all]) this.#discard(connection)
    this.#idle.length = 0
  }

  #open(): Connection {
    // timeout 0: a locked database fails at once with SQLITE_BUSY and the runner retries asynchronously.
    // A busy timeout here would block the event loop, and with it the transaction holding the lock.
    const connection = new Database(this.#path, { timeout: 0 })
    this.#all.add(connection)
    return connection
  }

  #discard(connection: Connection): void {
    this.#all.delete(connection)
    try {
      // close() alone does not release the locks of an open transaction (measured with libsql 0.5.29).
      if (connection.inTransaction) connection.exec("ROLLBACK")
      connection.close()
    } catch {
      // The connection is being dropped anyway; nothing else can be done about it.
    }
  }
}

/** Puts a released connection back to its defaults; false when it cannot be reused. */
function resetConnection(connection: Connection): boolean {
  if (connection.inTransaction) connection.exec("ROLLBACK")
  // The only connection setting sqld lets a client change; a pooled connection must not carry it over.
  connection.exec("PRAGMA foreign_keys = ON")
  // Temp tables, views and triggers belong to the connection: another stream must never meet them.
  // The analysis refuses their creation; a connection that has some all the same is not reused.
  return connection.prepare("SELECT 1 FROM temp.sqlite_master LIMIT 1").get() === undefined
}
