// The order in which requests run their SQL. Statements run on the connections' own threads, but
// requests still take turns, one whole request (a batch, a pipeline) after the other, as they did when
// SQLite ran on the server's thread: a batch's BEGIN ... COMMIT never interleaves with another
// stream's, so short transactions never meet each other's write lock (with a busy timeout of 0 they
// would fail where they always succeeded). Two things let others go ahead:
// - a request that waits for a lock another stream holds (busy-retry.ts) steps out while it pauses;
// - a statement that runs longer than LONG_STATEMENT_MS: its request goes on beside the others from
//   then on, so a runaway statement holds nobody up for longer than that.
import { RequestAbandonedError, ServerStoppingError } from "./errors.ts"

/** Past this, a statement is no longer a short one that others wait for. */
export const LONG_STATEMENT_MS = 1_000

interface Waiter {
  admit: () => void
}

/** One request's place in the lane. */
export class Turn {
  #holding = false
  /** Set once its request runs beside the others (a long statement); it never waits again. */
  #detached = false
  #timer: NodeJS.Timeout | undefined

  constructor(
    private readonly lane: Lane,
    private readonly signal: AbortSignal,
  ) {}

  /** Waits until the request may run (or its client goes away, or the server stops). */
  async take(): Promise<void> {
    if (this.#holding || this.#detached) return
    await this.lane.enter(this.signal)
    this.#holding = true
  }

  /** The request is done, or pauses (a lock wait): the next request may run. */
  leave(): void {
    this.#clearTimer()
    if (!this.#holding) return
    this.#holding = false
    this.lane.exit()
  }

  /** A statement starts: if it runs long, the request gives its turn up and goes on beside the others.
   *  Returns the function to call when the statement ends. */
  statementStarted(): () => void {
    if (!this.#holding) return () => undefined
    this.#clearTimer()
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#detached = true
      this.leave()
    }, LONG_STATEMENT_MS)
    this.#timer.unref()
    return () => this.#clearTimer()
  }

  #clearTimer(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }
}

export class Lane {
  #busy = false
  readonly #waiting: Waiter[] = []

  constructor(private readonly isStopping: () => boolean) {}

  turn(signal: AbortSignal): Turn {
    return new Turn(this, signal)
  }

  enter(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(this.#abandoned())
    if (!this.#busy) {
      this.#busy = true
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          signal.removeEventListener("abort", onAbort)
          resolve()
        },
      }
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter)
        if (index >= 0) this.#waiting.splice(index, 1)
        reject(this.#abandoned())
      }
      signal.addEventListener("abort", onAbort, { once: true })
      this.#waiting.push(waiter)
    })
  }

  exit(): void {
    const next = this.#waiting.shift()
    if (next) next.admit()
    else this.#busy = false
  }

  #abandoned(): Error {
    return this.isStopping() ? new ServerStoppingError() : new RequestAbandonedError()
  }
}
