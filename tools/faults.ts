// Fault injection for both stand-ins, to test what a client does when the network fails: `POST /s/<scope>/__faults`
// with `{"dropRequests": n}` makes the next n database requests of that scope end with the connection
// dropped and nothing executed, as a request lost on its way.

export class Faults {
  readonly #drops = new Map<string, number>()

  arm(scope: string, dropRequests: number): void {
    this.#drops.set(scope, dropRequests)
  }

  /** Whether this request is to be dropped; counts the armed drops down. */
  shouldDrop(scope: string | undefined): boolean {
    const left = scope === undefined ? 0 : (this.#drops.get(scope) ?? 0)
    if (left <= 0) return false
    this.#drops.set(scope as string, left - 1)
    return true
  }
}
