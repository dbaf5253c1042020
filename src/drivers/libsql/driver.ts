// The libSQL driver: Turso over HTTP (`libsql://`, `https://`, `http://`) or an embedded database
// (`file:`, `:memory:`), depending on which client the entry point hands in.
import type { Driver, RoundTripListener } from "../transport.ts"
import { translateLibsqlError } from "./errors.ts"
import { type CreateClient, LibsqlTransport } from "./transport.ts"

export interface LibsqlOptions {
  /** The database token (Turso's `DATABASE_AUTH_TOKEN`). */
  authToken?: string
}

const REMOTE = /^(libsql|https?):\/\//i
const EMBEDDED = /^(file:|:memory:)/i

export function libsqlDriver(
  createClient: CreateClient,
  kind: "http" | "embedded",
  options: LibsqlOptions,
): Driver {
  return {
    name: kind === "http" ? "libsql" : "libsql (embedded)",
    dialect: "sqlite",
    accepts: (url) => (kind === "http" ? REMOTE : EMBEDDED).test(url),
    open: (url: string, onRoundTrip: RoundTripListener) =>
      new LibsqlTransport({ url, authToken: options.authToken, createClient, kind }, onRoundTrip),
    translateError: translateLibsqlError,
  }
}
