// The HTTP requests of one connection, tracked so that close() can give those still in flight a
// bounded wait and then abort them: a connection closed while the server is silent leaves no request
// behind (a pending fetch keeps a Node process alive, and outlives its purpose anywhere).
import { ConnectionError } from "../errors.ts"
import { settledWithin } from "../util/settle-within.ts"

export class InFlightRequests {
  readonly #requests = new Set<Promise<unknown>>()
  readonly #abandon = new AbortController()

  /** `fetch`, tracked, and aborted by `abandon()` (the drivers pass no signal of their own). */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const sent = fetch(input, { ...init, signal: this.#abandon.signal })
    this.#requests.add(sent)
    const done = () => this.#requests.delete(sent)
    sent.then(done, done)
    return sent
  }

  /** Waits for the requests in flight until `deadline` (epoch ms), then aborts those still waiting. */
  async abandon(deadline: number): Promise<void> {
    if (this.#requests.size > 0) {
      await settledWithin(Promise.allSettled([...this.#requests]), Math.max(0, deadline - Date.now()))
    }
    // What the abandoned requests reject with: they were sent, so a commit among them is in doubt.
    this.#abandon.abort(new ConnectionError("The connection was closed while this request was in flight"))
  }
}
