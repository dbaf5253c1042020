// SQLITE_BUSY handling. SQLite's own busy timeout sleeps inside the native call, on the connection's
// thread, where it could not be interrupted. Instead the statement is retried after a short
// asynchronous pause, up to a bound, and then SQLITE_BUSY is reported to the client. While it pauses,
// its request steps out of the lane (lane.ts), so that the stream holding the lock can finish.
import { asNativeSqliteError, ServerStoppingError } from "./errors.ts"

export interface BusyPolicy {
  /** Give up and report SQLITE_BUSY after waiting this long in total. */
  timeoutMs: number
  /** Set when the server stops: waiting statements give up at once. */
  isStopping: () => boolean
}

/** What a waiting request does around its pause (leave its turn, then take it again), and how it
 *  meets a holder of the write lock whose time is up (write-lock.ts). */
export interface PauseHooks {
  beforePause: () => void
  afterPause: () => Promise<void>
  /** Takes the lock from a holder whose time is up; true when it did (try again at once). */
  stealLock?: () => Promise<boolean>
  /** When the holder's time is up, when another stream holds the lock. */
  lockHolderDeadline?: () => number | undefined
}

const FIRST_PAUSE_MS = 2
const LONGEST_PAUSE_MS = 50

export async function retryWhileBusy<T>(
  policy: BusyPolicy,
  attempt: () => Promise<T>,
  hooks?: PauseHooks,
): Promise<T> {
  const deadline = Date.now() + policy.timeoutMs
  let pause = FIRST_PAUSE_MS
  for (;;) {
    try {
      return await attempt()
    } catch (error) {
      if (!isRetryableBusy(error)) throw error
      // sqld's busy handler: a holder whose time is up loses the lock to the waiter.
      if (await hooks?.stealLock?.()) continue
      if (Date.now() >= deadline) throw error
    }
    // Wake at the deadline at the latest, and just after the holder's time is up, to take the lock.
    const now = Date.now()
    const holderDeadline = hooks?.lockHolderDeadline?.()
    const wait = Math.min(
      pause,
      deadline - now,
      holderDeadline !== undefined && holderDeadline >= now ? holderDeadline - now + 1 : pause,
    )
    hooks?.beforePause()
    await new Promise((resolve) => setTimeout(resolve, wait))
    if (policy.isStopping()) throw new ServerStoppingError()
    await hooks?.afterPause()
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS)
  }
}

/** SQLITE_BUSY and SQLITE_BUSY_RECOVERY clear up once the other connection is done. SQLITE_BUSY_SNAPSHOT
 *  does not: the transaction read a snapshot that another writer has since replaced, and only a
 *  rollback helps, so it is reported at once. */
function isRetryableBusy(error: unknown): boolean {
  const native = asNativeSqliteError(error)
  if (!native) return false
  if (native.rawCode !== undefined) return native.rawCode === 5 || native.rawCode === 261
  return native.code === "SQLITE_BUSY" || native.code === "SQLITE_BUSY_RECOVERY"
}
