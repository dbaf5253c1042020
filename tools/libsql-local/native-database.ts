// The native `libsql` binding through its promise API (`libsql/promise`), typed here for what
// libsql-local uses. That API prepares, and runs a statement up to its first row, on a thread of the
// binding's own: the event loop goes on serving other clients while a long statement computes, and
// `interrupt()`, called from the event loop, stops it (SQLITE_INTERRUPT). The rows after the first are
// stepped on the event loop's thread, 100 per call of the iterator's `next()`.
import { createRequire } from "node:module"

export interface NativeColumn {
  name: string
  type: string | null
}

export interface NativeStatement {
  /** Whether the statement returns rows (`raw()` is only for those). */
  readonly reader: boolean
  columns(): NativeColumn[]
  /** Rows as arrays rather than objects. */
  raw(toggle?: boolean): NativeStatement
  /** Integers as bigint. */
  safeIntegers(toggle?: boolean): NativeStatement
  /** Runs the statement up to its first row off the event loop; any statement, not only a reader. */
  iterate(values?: unknown[]): Promise<IterableIterator<unknown>>
  all(values?: unknown[]): Promise<unknown[]>
  /** Synchronous: only for statements that cannot run long (the pool's housekeeping). */
  get(values?: unknown[]): unknown
  /** Synchronous: only for statements that cannot run long (the pool's housekeeping). */
  run(values?: unknown[]): unknown
}

export interface NativeConnection {
  readonly inTransaction: boolean
  prepare(sql: string): Promise<NativeStatement>
  exec(sql: string): Promise<void>
  /** Makes the statement running on this connection fail with SQLITE_INTERRUPT at its next step. */
  interrupt(): void
  close(): void
}

// `libsql` is a CommonJS module with a native addon; load it with require so both tsx and vitest agree.
const Database = createRequire(import.meta.url)("libsql/promise") as new (
  path: string,
  options: { timeout: number },
) => NativeConnection

/**
 * timeout 0: a locked database fails at once with SQLITE_BUSY and the runner retries asynchronously
 * (busy-retry.ts). A busy timeout here would sleep inside the native call.
 */
export function openConnection(path: string): NativeConnection {
  return new Database(path, { timeout: 0 })
}
