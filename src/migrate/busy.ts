// Waiting out a database another runner holds. SQLite takes its write lock at BEGIN IMMEDIATE and a
// second writer fails at once with SQLITE_BUSY (embedded files, and sqld past its busy timeout);
// PostgreSQL may time out on a lock. Every request the runner sends is atomic and guarded, so sending
// it again after such a failure is always safe: it either applies or finds the work done.
import { OperationalError } from "../errors.ts"

const BUSY =
  /SQLITE_BUSY|SQLITE_LOCKED|database is locked|lock timeout|could not obtain lock|deadlock detected/i

/**
 * Milliseconds to wait before each retry: about 2 minutes in all. Runners started together (a deploy
 * on several machines) queue on the lock, each revision by each runner in turn: a later one would
 * rather wait than fail a deploy that the others are completing.
 */
const WAITS = [25, 50, 100, 200, 400, 800, ...Array.from({ length: 118 }, () => 1000)]

export async function retryWhileBusy<T>(request: () => Promise<T>): Promise<T> {
  for (const wait of WAITS) {
    try {
      return await request()
    } catch (error) {
      if (!isBusy(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
  return request()
}

function isBusy(error: unknown): boolean {
  return (
    error instanceof OperationalError &&
    (BUSY.test(error.message) || BUSY.test(String((error.cause as { code?: unknown })?.code ?? "")))
  )
}
