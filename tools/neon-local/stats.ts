// Counters of what passes through neon-local, global and per scope (the `/s/<scope>/` URL prefix), so
// tests running in parallel each count their own round trips.

export interface NeonStats {
  /** POST /sql requests. */
  httpRequests: number
  /** Statements run for clients: each HTTP query (batch members each), each simple Query or Execute on a WebSocket. */
  statements: number
  /** WebSocket connections opened through the proxy. */
  wsConnections: number
  /** Client WebSocket frames that wait for an answer (startup, password, Query, Sync, Flush). */
  wsRoundTrips: number
  /** WebSocket connections open right now. */
  openSockets: number
}

export type Counter = Exclude<keyof NeonStats, "openSockets">

export class StatsBook {
  #global = zero()
  readonly #scopes = new Map<string, NeonStats>()

  count(counter: Counter | "openSockets", scope: string | undefined, by = 1): void {
    this.#global[counter] += by
    if (scope === undefined) return
    const scoped = this.#scopes.get(scope) ?? zero()
    scoped[counter] += by
    this.#scopes.set(scope, scoped)
  }

  read(scope?: string): NeonStats {
    const stats = scope === undefined ? this.#global : this.#scopes.get(scope)
    return { ...(stats ?? zero()) }
  }

  /** Resets counters (not the open-socket gauge) globally or for one scope. */
  reset(scope?: string): void {
    const current = scope === undefined ? this.#global : this.#scopes.get(scope)
    const fresh = { ...zero(), openSockets: current?.openSockets ?? 0 }
    if (scope === undefined) this.#global = fresh
    else this.#scopes.set(scope, fresh)
  }
}

function zero(): NeonStats {
  return { httpRequests: 0, statements: 0, wsConnections: 0, wsRoundTrips: 0, openSockets: 0 }
}
