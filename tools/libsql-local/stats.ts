// Request and statement counters, global and per scope (the `/s/<scope>/` URL prefix), so that tests
// running in parallel can each assert their own round trips without resetting anyone else's.

export interface LibsqlStats {
  /** POSTs to the pipeline and cursor endpoints (whatever their outcome). */
  httpRequests: number
  /** SQL statements run for clients: each execute, each batch step that ran, each statement of a
   *  sequence, including client-sent BEGIN/COMMIT and statements that fail while running (a constraint
   *  violation). Not counted: statements that never ran because SQLite could not prepare them, their
   *  arguments did not match, or sqld would refuse them (several statements, unsupported ones). */
  statements: number
}

export type StatsCounter = keyof LibsqlStats

export class StatsBook {
  #global = zero()
  readonly #scopes = new Map<string, LibsqlStats>()

  count(counter: StatsCounter, scope: string | undefined): void {
    this.#global[counter]++
    if (scope === undefined) return
    const scoped = this.#scopes.get(scope) ?? zero()
    scoped[counter]++
    this.#scopes.set(scope, scoped)
  }

  /** A snapshot; an unseen scope reads all zeros. */
  read(scope?: string): LibsqlStats {
    const stats = scope === undefined ? this.#global : this.#scopes.get(scope)
    return { ...(stats ?? zero()) }
  }

  /** Resets the global counters, or one scope's; other scopes keep counting. */
  reset(scope?: string): void {
    if (scope === undefined) this.#global = zero()
    else this.#scopes.delete(scope)
  }
}

function zero(): LibsqlStats {
  return { httpRequests: 0, statements: 0 }
}
