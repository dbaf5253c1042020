// Interrupts the statement running on a connection when nobody waits for its answer any more (the
// client went away, the server is stopping) or when it has run longer than the statement time limit,
// as sqld interrupts a request whose client has gone. The interrupted statement fails with
// SQLITE_INTERRUPT at its next step; the runner then says why.
import type { Connection } from "./connection-pool.ts"

export type InterruptReason = "abandoned" | "time-limit"

export interface Watchdog {
  /** Why the statement was interrupted; undefined while it was not. */
  readonly reason: InterruptReason | undefined
  /** The statement is over: no interrupt may reach whatever the connection runs next. */
  stop(): void
}

export function watchStatement(connection: Connection, signal: AbortSignal, timeLimitMs: number): Watchdog {
  let reason: InterruptReason | undefined
  const interrupt = (why: InterruptReason) => {
    reason ??= why
    connection.interrupt()
  }
  const abandoned = () => interrupt("abandoned")
  // 0: no limit. The timer does not hold the process open.
  const timer = timeLimitMs > 0 ? setTimeout(() => interrupt("time-limit"), timeLimitMs).unref() : undefined
  signal.addEventListener("abort", abandoned, { once: true })
  return {
    get reason() {
      return reason
    },
    stop() {
      clearTimeout(timer)
      signal.removeEventListener("abort", abandoned)
    },
  }
}
