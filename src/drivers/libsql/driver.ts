// The libSQL driver: Turso over HTTP (`libsql://`, `https://`, `http://`: ./web.ts, ./hrana.ts) or an
// embedded database (`file:`, `:memory:`: ./node.ts, over @libsql/client), depending on the entry point.
import { checkedRequestTimeout } from "../request-timeout.ts"
import type { Driver } from "../transport.ts"

/**
 * Each may be `undefined`, meaning not given (`{ authToken: env.DATABASE_AUTH_TOKEN }` under
 * `exactOptionalPropertyTypes`, which `tsc --init` turns on).
 */
export interface LibsqlOptions {
  /** The database token (Turso's `DATABASE_AUTH_TOKEN`). */
  authToken?: string | undefined
  /** How long close() waits for the server before it abandons what is in flight (default 1000 ms). */
  closeTimeoutMs?: number | undefined
  /**
   * How long a request over HTTP may wait for its answer before it fails with a ConnectionError and is
   * aborted (default: no limit). A commit that times out is an UnknownOutcomeError. Embedded: unused.
   */
  requestTimeoutMs?: number | undefined
}

const REMOTE = /^(libsql|https?):\/\//i

/**
 * A libSQL driver whose connections `open` makes, their errors translated by `translateError`:
 * ./web.ts's over HTTP (./hrana.ts) and ./node.ts's embedded.
 */
export function libsqlDriverOf(
  options: LibsqlOptions,
  open: Driver["open"],
  translateError: Driver["translateError"],
): Driver {
  checkedRequestTimeout(options.requestTimeoutMs)
  return {
    // The embedded driver (./node.ts) names itself and its URLs.
    name: "libsql",
    closeTimeoutMs: options.closeTimeoutMs,
    dialect: "sqlite",
    accepts: (url) => REMOTE.test(url),
    open,
    translateError,
  }
}
