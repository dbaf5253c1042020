// The Neon driver for `postgresql://` and `postgres://` URLs.
import type { Driver, RoundTripListener } from "../transport.ts"
import { translateNeonError } from "./errors.ts"
import type { NeonOptions } from "./settings.ts"
import { NeonTransport } from "./transport.ts"

const POSTGRES = /^postgres(ql)?:\/\//i

export function neonDriver(options: NeonOptions = {}): Driver {
  return {
    name: "neon",
    dialect: "postgresql",
    accepts: (url) => POSTGRES.test(url),
    open: (url: string, onRoundTrip: RoundTripListener) => new NeonTransport(url, options, onRoundTrip),
    translateError: translateNeonError,
  }
}
