// The libSQL driver: Turso over HTTP (`libsql://`, `https://`, `http://`) or an embedded database
// (`file:`, `:memory:`), depending on which client the entry point hands in.
import type { Client } from "@libsql/client"
import { checkedTimeout } from "../request-timeout.ts"
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
const EMBEDDED = /^(file:|:memory:)/i
const MEMORY = /^(:memory:|file::memory:)/i

export function libsqlDriver(
  createClient: CreateClient,
  kind: "http" | "embedded",
  options: LibsqlOptions,
): Driver {
  checkedTimeout("closeTimeoutMs", options.closeTimeoutMs)
  checkedTimeout("requestTimeoutMs", options.requestTimeoutMs)
  // A `:memory:` database lives and dies with its client: every connection of the engine shares one.
  const memory = new Map<string, Client>()
  const sharedMemory = (url: string) => () => {
    let client = memory.get(url)
    if (!client) {
      client = createClient({ url, intMode: "bigint" })
      memory.set(url, client)
    }
    return client
  }
  return {
    name: kind === "http" ? "libsql" : "libsql (embedded)",
    dialect: "sqlite",
    accepts: (url) => (kind === "http" ? REMOTE : EMBEDDED).test(url),
    open: (url: string, roundTrips: RoundTrips) =>
      new LibsqlTransport(
        {
          url,
          authToken: options.authToken,
          createClient,
          kind,
          sharedClient: MEMORY.test(url) ? sharedMemory(url) : undefined,
          closeTimeoutMs: options.closeTimeoutMs,
          requestTimeoutMs: options.requestTimeoutMs,
        },
        roundTrips,
      ),
    translateError: translateLibsqlError,
  }
}
