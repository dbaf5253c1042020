// What the global setup hands to every test, in Node and inside workerd alike (`inject("neon")`).
// Both stand-ins count per scope: put `/s/<scope>` in front of a path to count a test's own traffic.

export interface NeonEndpoint {
  /** `postgres://postgres:<password>@127.0.0.1:5432/<fresh database>`: what a user passes to the driver. */
  connectionString: string
  /** The password neon-local checks, as Neon's proxy does (the PostgreSQL behind it trusts everyone). */
  password: string
  /** neon-local's base URL: `/sql`, `/v2?address=...` and `/__stats` live under it. */
  httpUrl: string
}

export interface LibsqlEndpoint {
  /** libsql-local's base URL (Hrana over HTTP). */
  url: string
  authToken: string
}

declare module "vitest" {
  interface ProvidedContext {
    neon: NeonEndpoint
    /** neon-local in its default mode (no `--password`): clients present the upstream URL's password. */
    neonDefault: NeonEndpoint
    libsql: LibsqlEndpoint
    /** A second libsql-local whose idle streams expire after 200 ms, for expiry tests. */
    libsqlShortExpiry: LibsqlEndpoint
    /** A server that never answers (./silent-server.ts); `GET /__open` says how many requests it holds. */
    silent: { url: string }
    /** A folder of this run where the first test that installs the packed package packs it (../node/packed-app.ts). */
    packDir: string
  }
}
