// Per-request database accounting for the `Server-Timing` header: round trips, statements and the time
// spent waiting on the database, as heard on one engine (a request's child engine, see Engine.child()).
import type { Engine } from "../engine/engine.ts"

export class DbTiming {
  roundTrips = 0
  statements = 0
  durationMs = 0
  readonly #stop: (() => void)[]

  constructor(engine: Engine) {
    this.#stop = [
      engine.on("roundTrip", (roundTrip) => {
        this.roundTrips++
        this.durationMs += roundTrip.durationMs
      }),
      engine.on("statement", () => {
        this.statements++
      }),
    ]
  }

  /** `db;desc="2 round trips, 5 statements";dur=12.3`: the format of BLOG_API.md, read by devtools. */
  header(): string {
    const desc = `${this.roundTrips} round trips, ${this.statements} statements`
    return `db;desc="${desc}";dur=${this.durationMs.toFixed(1)}`
  }

  stop(): void {
    for (const stop of this.#stop) stop()
  }
}
