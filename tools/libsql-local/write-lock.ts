// sqld's limit on how long a transaction holds SQLite's one write lock (libsql-server
// connection/libsql.rs: TXN_TIMEOUT, 5 s, and its lock-stealing busy handler). The lock is counted from
// the statement that took it (a write, or BEGIN IMMEDIATE/EXCLUSIVE), not from the last request:
// - a writer that finds it held waits until the holder's time is up, then takes it: the holder's
//   transaction is rolled back (steal);
// - the holder's next statement after its time is up, or after it was taken, fails with
//   TRANSACTION_TIMEOUT, and so does every later statement of the same request (expire).
import type { Connection } from "./connection.ts"

/** sqld's TXN_TIMEOUT. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 5_000

export class WriteLock {
  /** The connection whose transaction holds the write lock, as far as libsql-local knows. */
  #holder: Connection | undefined

  constructor(readonly timeoutMs: number) {}

  /** After a statement that may have taken the lock: its transaction holds it from now on. */
  taken(connection: Connection): void {
    if (!connection.inTransaction || connection.writeLockSince !== undefined) return
    connection.writeLockSince = Date.now()
    this.#holder = connection
  }

  /** When the holder's time is up, if a connection other than `waiter` holds the lock. */
  holderDeadline(waiter: Connection): number | undefined {
    const since = this.#holder === waiter ? undefined : this.#holder?.writeLockSince
    return since === undefined ? undefined : since + this.timeoutMs
  }

  /** Takes the lock from a holder whose time is up: its transaction is rolled back. */
  async steal(waiter: Connection): Promise<boolean> {
    const holder = this.#holder
    const deadline = this.holderDeadline(waiter)
    if (!holder || deadline === undefined || Date.now() <= deadline) return false
    this.#holder = undefined
    holder.writeLockTaken = true
    await rollBack(holder)
    return true
  }

  /** Before a statement: whether its transaction's time is up (taken, or held past the limit), in
   *  which case it is rolled back now, if the thief has not done so. */
  async expire(connection: Connection): Promise<boolean> {
    if (connection.writeLockTaken) {
      connection.writeLockTaken = false
      return true
    }
    const since = connection.writeLockSince
    if (since === undefined || Date.now() <= since + this.timeoutMs) return false
    if (this.#holder === connection) this.#holder = undefined
    await rollBack(connection)
    return true
  }
}

async function rollBack(connection: Connection): Promise<void> {
  // No transaction left to roll back (the pool reset it) is no failure.
  await connection.perform({ type: "exec", sql: "ROLLBACK" }).catch(() => undefined)
}
