// The database `npm run dev:neon` serves the blog from: a database of its own (`edgealchemy_blog`) on
// the PostgreSQL server at PG_URL, created when missing, so the demo never writes into the server's
// shared `postgres` database (as `npm run dev` keeps its libSQL data in .data/blog.db).
import pg from "pg"
import { startNeonLocal } from "../neon-local/index.ts"
import { probeUpstream } from "../neon-local/upstream-pool.ts"

export const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
export const BLOG_DATABASE = "edgealchemy_blog"

export interface DevDatabase {
  /** The worker variables that point it at this database. */
  vars: { DATABASE_URL: string; NEON_FETCH_ENDPOINT?: string }
  describe: string
  stop(): Promise<void>
}

/** Creates `name` on the server at `serverUrl` unless it exists; returns its URL (same server and user). */
export async function ensureDatabase(
  serverUrl: string,
  name: string,
): Promise<{ url: string; created: boolean }> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 })
  await client.connect()
  let created = false
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
    if (found.rowCount === 0) {
      // CREATE DATABASE takes no parameters; the name is quoted as an identifier.
      await client
        .query(`CREATE DATABASE ${client.escapeIdentifier(name)}`)
        .catch((error: { code?: string }) => {
          if (error.code !== "42P04") throw error // 42P04: created meanwhile by another run
        })
      created = true
    }
  } finally {
    await client.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${encodeURIComponent(name)}`
  return { url: url.toString(), created }
}

/** The blog's database behind a local Neon endpoint on `port`, in front of the server at `pgUrl`. */
export async function startNeonDatabase(
  pgUrl: string,
  port: number,
  database = BLOG_DATABASE,
): Promise<DevDatabase> {
  const unreachable = await probeUpstream(pgUrl)
  if (unreachable) {
    throw new Error(
      `No PostgreSQL at PG_URL (${redact(pgUrl)}): ${unreachable}\n` +
        "Point PG_URL at a server where the user may create a database: PG_URL=postgres://user:password@host:5432/postgres npm run dev:neon",
    )
  }
  const blog = await ensureDatabase(pgUrl, database)
  const neon = await startNeonLocal({ upstream: blog.url, port })
  return {
    vars: { DATABASE_URL: blog.url, NEON_FETCH_ENDPOINT: neon.fetchEndpoint() },
    describe: `Neon endpoint ${neon.url} (SQL over HTTP at ${neon.fetchEndpoint()}) in front of ${redact(blog.url)}${blog.created ? " (created now)" : ""}`,
    stop: () => neon.stop(),
  }
}

function redact(url: string): string {
  return url.replace(/:[^:@/]*@/, ":***@")
}
