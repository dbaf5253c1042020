// The HTTP requests of one connection, tracked so that close() can give those still in flight a
// bounded wait and then abort them: a connection closed while the server is silent leaves no request
// behind (a pending fetch keeps a Node process alive, and outlives its purpose anywhere). A round trip
// that outlives `requestTimeoutMs` aborts its own requests, not the others under way beside it. A
// request counts as in flight until the work that reads its answer (`track`) is done, not only until
// its headers.
import { ConnectionError } from "../errors.ts"
import { settledWithin } from "../util/settle-within.ts"
import { answeredWithin } from "./request-timeout.ts"

export class InFlightRequests {
  /** What is in flight, with what aborts it. */
  readonly #requests = new Map<Promise<unknown>, AbortController | undefined>()
  #abandoned = false

  /**
   * `fetch`, tracked, and aborted by `abandon()` or by the timeout of the round trip whose `abort` it is
   * given (the drivers pass no signal of their own).
   */
  fetch(input: string | URL | Request, init?: RequestInit, abort = new AbortController()): Promise<Response> {
    // What a request after close() meets: the drivers' own requests (a stream's close) included.
    if (this.#abandoned) return Promise.reject(abandoned())
    return this.track(fetch(input, { ...init, signal: abort.signal }), abort)
  }

  /** Whether nothing is in flight. */
  get idle(): boolean {
    return this.#requests.size === 0
  }

  /** Counts `work` (a request and the reading of its answer) as in flight until it settles. */
  track<T>(work: Promise<T>, abort?: AbortController): Promise<T> {
    this.#requests.set(work, abort)
    const settled = () => this.#requests.delete(work)
    work.then(settled, settled)
    return work
  }

  /**
   * A round trip (`send`: the driver's call, its fetches made through `fetch` with `abort`), tracked;
   * after `timeoutMs` without an answer it fails and `abort` aborts its requests. Without `abort` (the
   * requests of a transaction's stream, which a driver may send several in one), every request in
   * flight on the connection is aborted. Later ones go out as usual.
   */
  roundTrip<T>(timeoutMs: number | undefined, send: () => Promise<T>, abort?: AbortController): Promise<T> {
    return this.track(
      answeredWithin(timeoutMs, send, (reason) => this.#abort(reason, abort)),
      abort,
    )
  }

  /** Aborts the requests of `only`, or all. */
  #abort(reason: Error, only?: AbortController): void {
    for (const abort of only ? [only] : this.#requests.values()) abort?.abort(reason)
  }

  /**
   * Waits for the requests in flight until `deadline` (epoch ms), then aborts those still waiting.
   * With none left, nothing is aborted: an error (and its stack) costs more than the request did.
   */
  async abandon(deadline: number): Promise<void> {
    // A deadline already past is a timer of 0 ms, as in the drivers' close().
    if (this.#requests.size > 0)
      await settledWithin(Promise.allSettled(this.#requests.keys()), deadline - Date.now())
    this.#abandoned = true
    // What the abandoned requests reject with: they were sent, so a commit among them is in doubt.
    if (this.#requests.size > 0) this.#abort(abandoned())
  }
}

function abandoned(): ConnectionError {
  return new ConnectionError("This connection was closed while this request was in flight")
}
