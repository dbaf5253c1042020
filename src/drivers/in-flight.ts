// The HTTP requests of one connection, tracked so that close() can give those still in flight a
// bounded wait and then abort them: a connection closed while the server is silent leaves no request
// behind (a pending fetch keeps a Node process alive, and outlives its purpose anywhere). A round trip
// that outlives `requestTimeoutMs` aborts them too. A request counts as in flight until the work that
// reads its answer (`track`) is done, not only until its headers.
import { ConnectionError } from "../errors.ts"
import { settledWithin } from "../util/settle-within.ts"
import { answeredWithin } from "./request-timeout.ts"

export class InFlightRequests {
  readonly #requests = new Set<Promise<unknown>>()
  /** Made on the first request: a connection that sends nothing pays nothing. */
  #abort: AbortController | undefined
  #abandoned = false

  /** `fetch`, tracked, and aborted by `abandon()` or a timeout (the drivers pass no signal of their own). */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    // What a request after close() meets: the drivers' own requests (a stream's close) included.
    if (this.#abandoned) return Promise.reject(abandoned())
    this.#abort ??= new AbortController()
    return this.track(fetch(input, { ...init, signal: this.#abort.signal }))
  }

  /** Whether nothing is in flight. */
  get idle(): boolean {
    return this.#requests.size === 0
  }

  /** Counts `work` (a request and the reading of its answer) as in flight until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#requests.add(work)
    const settled = () => this.#requests.delete(work)
    work.then(settled, settled)
    return work
  }

  /**
   * A round trip (`send`: the driver's call, its fetches made through `fetch`), tracked; after
   * `timeoutMs` without an answer it fails and every request in flight on the connection is aborted
   * (later ones go out as usual).
   */
  roundTrip<T>(timeoutMs: number | undefined, send: () => Promise<T>): Promise<T> {
    return this.track(answeredWithin(timeoutMs, send, this.#abortAll))
  }

  readonly #abortAll = (reason: Error): void => {
    this.#abort?.abort(reason)
    this.#abort = undefined
  }

  /**
   * Waits for the requests in flight until `deadline` (epoch ms), then aborts those still waiting.
   * With none left, nothing is aborted: an error (and its stack) costs more than the request did.
   */
  async abandon(deadline: number): Promise<void> {
    if (this.#requests.size > 0) {
      await settledWithin(Promise.allSettled([...this.#requests]), Math.max(0, deadline - Date.now()))
    }
    this.#abandoned = true
    // What the abandoned requests reject with: they were sent, so a commit among them is in doubt.
    if (this.#requests.size > 0) this.#abortAll(abandoned())
  }
}

function abandoned(): ConnectionError {
  return new ConnectionError("The connection was closed while this request was in flight")
}
