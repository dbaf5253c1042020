// Recorded driver answers, replayed with no I/O: the drivers (Neon over HTTP, libSQL over HTTP) speak
// fetch, so a fetch that answers from a recording lets the raw driver and the ORM run over the same
// bytes with no network, endpoint or database in the timing. What is left is the main thread's work:
// building the request, the driver's parsing of the response, and (for an ORM) its own CPU.
//
//   const replay = new ReplayFetch()
//   const tape = new Tape("edgealchemy get")
//   replay.record(tape); await op()                 // through the real fetch, answers kept
//   replay.replay(tape, { verify: true }); await op() // same requests checked, answers from the tape
//   replay.replay(tape); await op()                  // answers from the tape in order, unchecked
//
// Install `replay.fetch` as the fetch of every contender (globalThis.fetch, neonConfig.fetchFunction,
// the libSQL client's `fetch`). Answers are handed back in the order they were recorded, cycling, so
// a tape fits an operation that sends the same requests every time; `verify` checks that it does.
import { BenchmarkError } from "./benchmark-error.ts"

interface Exchange {
  /** Method, URL and body of the request, to check a replayed request against. */
  readonly request: string
  readonly status: number
  readonly headers: readonly [string, string][]
  readonly body: string
}

export class Tape {
  readonly exchanges: Exchange[] = []
  #next = 0
  constructor(readonly name: string) {}

  /** Requests per operation, once recorded. */
  get length(): number {
    return this.exchanges.length
  }

  take(): Exchange {
    const exchange = this.exchanges[this.#next]
    if (!exchange) throw new BenchmarkError(`${this.name}: nothing recorded to replay`)
    this.#next = (this.#next + 1) % this.exchanges.length
    return exchange
  }

  rewind(): void {
    this.#next = 0
  }
}

type FetchFunction = typeof globalThis.fetch

export class ReplayFetch {
  #mode: "off" | "record" | "replay" | "verify" = "off"
  #tape: Tape | undefined
  readonly #upstream: FetchFunction

  constructor(upstream: FetchFunction = globalThis.fetch) {
    this.#upstream = upstream
  }

  /** Sends through the real fetch and appends every exchange to `tape`. */
  record(tape: Tape): void {
    this.#mode = "record"
    this.#tape = tape
  }

  /** Answers from `tape`, from its start; `verify` compares each request with the recorded one. */
  replay(tape: Tape, options: { verify?: boolean } = {}): void {
    tape.rewind()
    this.#mode = options.verify ? "verify" : "replay"
    this.#tape = tape
  }

  /** Plain fetch again (for setup traffic). */
  off(): void {
    this.#mode = "off"
    this.#tape = undefined
  }

  readonly fetch: FetchFunction = async (input, init) => {
    const tape = this.#tape
    if (this.#mode === "off" || !tape) return this.#upstream(input, init)
    if (this.#mode === "replay") return answer(tape.take())
    const request = await describe(input, init)
    if (this.#mode === "verify") {
      const exchange = tape.take()
      if (exchange.request !== request) {
        throw new BenchmarkError(
          `${tape.name}: the replayed operation sent a request that differs from the recording:\n` +
            `  recorded: ${exchange.request.slice(0, 400)}\n  sent:     ${request.slice(0, 400)}`,
        )
      }
      return answer(exchange)
    }
    const response = await this.#upstream(input, init)
    const exchange: Exchange = {
      request,
      status: response.status,
      headers: [...response.headers],
      body: await response.text(),
    }
    tape.exchanges.push(exchange)
    return answer(exchange)
  }
}

function answer(exchange: Exchange): Response {
  return new Response(exchange.body, {
    status: exchange.status,
    headers: exchange.headers as [string, string][],
  })
}

async function describe(input: RequestInfo | URL, init: RequestInit | undefined): Promise<string> {
  if (input instanceof Request) return `${input.method} ${input.url} ${await input.clone().text()}`
  const body = init?.body
  if (body !== undefined && body !== null && typeof body !== "string") {
    throw new BenchmarkError("ReplayFetch records string bodies only (what the Neon driver sends)")
  }
  return `${init?.method ?? "GET"} ${String(input)} ${body ?? ""}`
}
