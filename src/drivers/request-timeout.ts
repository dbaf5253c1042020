// `requestTimeoutMs`: how long one round trip may wait for its answer. A database or network that goes
// silent would otherwise hold the request that waits on it (and the user behind it) until the runtime
// gives up, minutes later or never. When the time is up the round trip fails with a ConnectionError
// and `abandon` lets go of what it was waiting on (aborts the HTTP requests, ends the WebSocket). The
// database may have run it all the same: a commit that times out is an UnknownOutcomeError (../engine/connection.ts).
import { ConnectionError, InvalidRequestError } from "../errors.ts"
import { settledWithin } from "../util/settle-within.ts"

/** `request()`, failing with a ConnectionError after `ms` without an answer; the request itself without `ms`. */
export function answeredWithin<T>(
  ms: number | undefined,
  request: () => Promise<T>,
  abandon: (reason: ConnectionError) => void,
): Promise<T> {
  const answer = request()
  if (ms === undefined) return answer
  return settledWithin(answer, ms).then((settled) => {
    if (settled) return answer
    const error = new ConnectionError(
      `No answer within requestTimeoutMs (${ms} ms); the request was abandoned`,
    )
    abandon(error)
    throw error
  })
}

/** `requestTimeoutMs`, checked when the driver is made: a positive, finite number of milliseconds. */
export function checkedRequestTimeout(ms: number | undefined): void {
  if (ms !== undefined && !(typeof ms === "number" && ms > 0 && ms < Number.POSITIVE_INFINITY)) {
    throw new InvalidRequestError(`requestTimeoutMs must be a positive number of milliseconds, got ${ms}`)
  }
}
