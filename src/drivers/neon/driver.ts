// The Neon driver for `postgresql://` and `postgres://` URLs.
import { checkedRequestTimeout } from "../request-timeout.ts"
import type { Driver, RoundTrips } from "../transport.ts"
import { translateNeonError } from "./errors.ts"
import type { NeonOptions } from "./settings.ts"
import { NeonTransport } from "./transport.ts"

const POSTGRES = /^postgres(ql)?:\/\//i

export function neonDriver(options: NeonOptions = {}): Driver {
  checkedRequestTimeout(options.requestTimeoutMs)
  return {
    name: "neon",
    closeTimeoutMs: options.closeTimeoutMs,
    dialect: "postgresql",
    accepts: (url) => POSTGRES.test(url),
    open: (url: string, roundTrips: RoundTrips) => new NeonTransport(url, options, roundTrips),
    translateError: translateNeonError,
  }
}
