// Turso over HTTP, spoken directly (./hrana.ts): fetch only, so it runs in Workers, with no client
// library in the bundle.
import { cached } from "../../util/cached.ts"
import type { Driver } from "../transport.ts"
import { type LibsqlOptions, libsqlDriverOf } from "./driver.ts"
import { translateHranaError } from "./errors.ts"
import { type Endpoint, endpointOf, HranaTransport } from "./hrana.ts"

/** The libSQL driver for `libsql://`, `https://` and `http://` URLs: `createEngine(url, { driver: libsql({ authToken }) })`. */
export function libsql(options: LibsqlOptions = {}): Driver {
  // Each URL read once: a connection is opened per session.
  const endpoints = new Map<string, Endpoint>()
  return libsqlDriverOf(
    options,
    (url, roundTrips) =>
      new HranaTransport(
        { ...options, endpoint: () => cached(endpoints, url, () => endpointOf(url, options.authToken)) },
        roundTrips,
      ),
    translateHranaError,
  )
}
