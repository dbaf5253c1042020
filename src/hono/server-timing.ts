// Per-request database accounting for the `Server-Timing` header: round trips, statements and the time
// spent waiting on the database, as heard on one engine (a request's child engine, see Engine.child()).
// The `db` entry joins hono/timing's header when the app uses `timing()`, so an app's own metrics
// (`setMetric(c, "app", 4.2)`, `total`) arrive beside it; without `timing()` it is a header of its own.
import type { Context } from "hono"
import type { TimingVariables } from "hono/timing"
import type { Engine } from "../engine/engine.ts"

/** hono/timing's per-request store of metrics, which `timing()` writes out after the handlers ran. */
export type MetricStore = NonNullable<TimingVariables["metric"]>

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

/** The metric store of a `timing()` middleware running around this point of the chain, if any. */
export function metricStore(c: Context): MetricStore | undefined {
  return (c as Context<{ Variables: TimingVariables }>).get("metric")
}

/**
 * Reports the `db` entry: into `store` (from `metricStore(c)` read before the handlers ran), which the
 * enclosing `timing()` writes out with the app's metrics once this middleware returns; else, when
 * `timing()` is absent or runs inside this middleware (its header already written), as a header value.
 * The entry is pushed as is rather than through `setMetric`, which would reorder it to `db;dur=;desc=`.
 */
export function reportDbTiming(c: Context, timing: DbTiming, store: MetricStore | undefined): void {
  if (store) store.headers.push(timing.header())
  else c.header("Server-Timing", timing.header(), { append: true })
}
