// `requestTimeoutMs`: how long one round trip may wait for its answer. A database or network that goes
// silent would otherwise hold the request that waits on it (and the user behind it) until the runtime
// gives up, minutes later or never. When the time is up the round trip fails and `abandon` lets go of
// what it was waiting on (aborts the HTTP requests, ends the WebSocket). The failure is a driver
// failure like a lost connection: the engine makes it a ConnectionError with the statement, or an
// UnknownOutcomeError for a commit, which the database may have applied all the same.
import { InvalidRequestError } from "../errors.ts"

/** Timers hold at most 2^31 - 1 ms; a longer one fires at once. */
const LONGEST_TIMER_MS = 2_147_483_647

/** `request()`, failing after `ms` without an answer; the request itself without `ms`. */
export function answeredWithin<T>(
  ms: number | undefined,
  request: () => Promise<T>,
  abandon: (reason: Error) => void,
): Promise<T> {
  const answer = request()
  if (ms === undefined) return answer
  // One timer and one promise a round trip, on every round trip of a driver with a limit.
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Worded for the drivers' error translation (./neon/errors.ts, ./libsql/errors.ts), as a lost connection is.
      const error = new Error(`No answer within requestTimeoutMs (${ms} ms); the request was abandoned`)
      reject(error)
      abandon(error)
    }, ms)
    // An answer after the time is up settles nothing (the promise is already rejected), failure included.
    answer.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/** `requestTimeoutMs`, checked when the driver is made: a positive number of ms a timer can hold. */
export function checkedRequestTimeout(ms: number | undefined): void {
  if (ms !== undefined && !(typeof ms === "number" && ms > 0 && ms <= LONGEST_TIMER_MS)) {
    throw new InvalidRequestError(
      `requestTimeoutMs must be a positive number of milliseconds up to ${LONGEST_TIMER_MS}, got ${ms}`,
    )
  }
}
