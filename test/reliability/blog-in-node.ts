// The blog app (worker/app.ts, the real worker code) driven from Node, for runs that need many requests
// at once: PostgreSQL through the shared Neon endpoint (test/blog/databases.ts), and libSQL through an
// endpoint of the suite's own over a fresh temporary file (the blog's tables have their real names, so
// they must not share a database with other suites).
import { createEngine } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { AUTH_SECRET, type BlogDatabase, freshNeon } from "../blog/databases.ts"

const TOKEN = "reliability-token"

/** `busyTimeoutMs`: how long a write waits for another's lock before SQLITE_BUSY (default 5 s, as sqld). */
export async function freshLibsqlInNode(busyTimeoutMs?: number): Promise<BlogDatabase> {
  const local = await startLibsqlLocal({
    port: 0,
    authToken: TOKEN,
    ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
  })
  return {
    name: "libsql",
    dialect: "sqlite",
    env: { DATABASE_URL: `${local.url}/s/app/`, DATABASE_AUTH_TOKEN: TOKEN, AUTH_SECRET },
    inspect: createEngine(`${local.url}/s/inspect/`, { driver: libsql({ authToken: TOKEN }) }),
    requests: async () => local.stats("app").httpRequests,
    drop: () => local.stop(),
  }
}

export const blogDatabases: readonly [string, () => Promise<BlogDatabase>][] = [
  ["Neon (PostgreSQL over HTTP)", freshNeon],
  ["libSQL (over HTTP)", () => freshLibsqlInNode()],
]
