// What the fault proxy does to the round trips it relays: armed faults wait for their round trip
// (counted from the moment they are armed, optionally only within one `/s/<scope>/` prefix), fire
// once, and are gone. Every round trip is logged with the fault it got, so a test can first count the
// round trips of a unit of work, then fault each of them in turn.

/**
 * - `drop`: the request never reaches the database; the client's connection is cut (a lost packet).
 * - `cut`: the database gets the request and applies it; its answer is lost and the connection cut.
 * - `fail`: the request never reaches the database; the client gets a failure it can see: HTTP 503,
 *   or a WebSocket closed with code 1011.
 * - `hang`: the request never reaches the database and no answer ever comes; the connection stays
 *   open, silent (a server that vanished without a word), until `releaseHung()` or `stop()`.
 *
 * An HTTP `cut` or `fail` armed with an `answer` gives the client that answer instead of a cut
 * connection or the 503: what a real server answers in that case (Neon's proxy answers 400
 * `{"message":"connection closed"}` when its database connection dropped under a COMMIT it sent).
 */
export type FaultKind = "drop" | "cut" | "fail" | "hang"

export const FAULT_KINDS: readonly FaultKind[] = ["drop", "cut", "fail", "hang"]

export interface RoundTripRecord {
  readonly index: number
  readonly transport: "http" | "websocket"
  readonly scope: string | undefined
  /** A short description: the HTTP path and body's start, or the PostgreSQL messages sent. */
  readonly what: string
  readonly fault: FaultKind | undefined
}

export interface ArmOptions {
  /** How many matching round trips to let through first (default 0: the next one). */
  readonly after?: number
  /** Only round trips under `/s/<scope>/` count and get the fault. */
  readonly scope?: string
  /** HTTP `cut` and `fail` only: the answer the client gets instead (see FaultKind). */
  readonly answer?: InjectedAnswer
}

/** An HTTP answer a fault gives the client. */
export interface InjectedAnswer {
  readonly status: number
  readonly body: string
  /** Default `application/json`. */
  readonly contentType?: string
}

/** A fault that fired on a round trip. */
export interface Fired {
  readonly kind: FaultKind
  readonly answer: InjectedAnswer | undefined
}

interface Armed {
  kind: FaultKind
  left: number
  scope: string | undefined
  answer: InjectedAnswer | undefined
}

export class FaultPlan {
  #armed: Armed[] = []
  #log: RoundTripRecord[] = []
  #seen = 0

  arm(kind: FaultKind, options: ArmOptions = {}): void {
    const after = options.after ?? 0
    if (!Number.isInteger(after) || after < 0) throw new Error(`after must be a whole number, got ${after}`)
    this.#armed.push({ kind, left: after, scope: options.scope, answer: options.answer })
  }

  disarm(): void {
    this.#armed = []
  }

  /** Faults armed and not yet fired. */
  get pending(): number {
    return this.#armed.length
  }

  /** Called once per round trip: the fault it gets, if any. */
  take(
    transport: RoundTripRecord["transport"],
    scope: string | undefined,
    what: string,
  ): FaultKind | undefined {
    return this.fire(transport, scope, what)?.kind
  }

  /** `take()`, with the answer the fault was armed with. */
  fire(transport: RoundTripRecord["transport"], scope: string | undefined, what: string): Fired | undefined {
    let fired: Armed | undefined
    for (const armed of this.#armed) {
      if (armed.scope !== undefined && armed.scope !== scope) continue
      // Two faults due on the same round trip: the first armed fires, the other waits for the next.
      if (armed.left > 0) armed.left--
      else fired ??= armed
    }
    this.#armed = this.#armed.filter((armed) => armed !== fired)
    this.#log.push({ index: this.#seen++, transport, scope, what, fault: fired?.kind })
    return fired && { kind: fired.kind, answer: fired.answer }
  }

  log(scope?: string): RoundTripRecord[] {
    return this.#log.filter((record) => scope === undefined || record.scope === scope)
  }

  resetLog(): void {
    this.#log = []
  }
}

const SCOPED = /^\/s\/([^/]+)\//

/** The `/s/<scope>/` prefix of a request path, as the local endpoints read it. */
export function scopeOf(path: string): string | undefined {
  const scoped = SCOPED.exec(path)
  return scoped ? decodeURIComponent(scoped[1] as string) : undefined
}
