// The libSQL driver: Turso over HTTP (`libsql://`, `https://`, `http://`) or an embedded database
// (`file:`, `:memory:`), depending on which client the entry point hands in.
import type { Client } from "@libsql/client"
import { checkedRequestTimeout } from "../request-timeout.ts"
import type { Driver, RoundTrips } from "../transport.ts"
import { translateLibsqlError } from "./errors.ts"
import { type CreateClient, LibsqlTransport } from "./transport.ts"

export interface LibsqlOptions {
  /** The database token (Turso's `DATABASE_AUTH_TOKEN`). */
  authToken?: string
  /** How long close() waits for the server before it abandons what is in flight (default 1000 ms). */
  closeTimeoutMs?: number
  /**
   * How long a request over HTTP may wait for its answer before it fails with a ConnectionError and is
   * aborted (default: no limit). A commit that times out is an UnknownOutcomeError. Embedded: unused.
   */
  requestTimeoutMs?: number
}

const REMOTE = /^(libsql|https?):\/\//i

/**
 * The libSQL driver of an entry point: its client maker, and (embedded) the client every connection to
 * a URL shares, where one must be shared.
 */
export function libsqlDriver(
  createClient: CreateClient,
  kind: "http" | "embedded",
  options: LibsqlOptions,
  sharedClient: (url: string) => (() => Client) | undefined = () => undefined,
): Driver {
  checkedRequestTimeout(options.requestTimeoutMs)
  return {
    // The embedded driver (./node.ts) names itself and its URLs.
    name: "libsql",
    dialect: "sqlite",
    accepts: (url) => REMOTE.test(url),
    open: (url: string, roundTrips: RoundTrips) =>
      new LibsqlTransport(
        { ...options, url, createClient, kind, sharedClient: sharedClient(url) },
        roundTrips,
      ),
    translateError: translateLibsqlError,
  }
}
