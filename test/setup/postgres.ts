// Finds the PostgreSQL the suite runs against, and gives each run a database of its own.
import { execFileSync } from "node:child_process"
import { readdirSync } from "node:fs"
import pg from "pg"

export const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"

export function pgUrl(): string {
  return process.env.PG_URL || DEFAULT_PG_URL
}

/** Connects to PG_URL; on this project's machines, starts the local cluster first if it is down. */
export async function reachPostgres(url: string): Promise<void> {
  if (await canConnect(url)) return
  if (url === DEFAULT_PG_URL && startLocalCluster()) {
    for (let attempt = 0; attempt < 30; attempt++) {
      if (await canConnect(url)) return
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }
  throw new Error(
    `No PostgreSQL reachable at ${redact(url)}. The tests need one: set PG_URL to a server where the user ` +
      "may create databases, e.g. PG_URL=postgres://user:password@host:5432/postgres npm test",
  )
}

/** Creates a database no other run uses; returns its URL and a function that drops it. */
export async function createScratchDatabase(
  url: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  // Unique even for two databases created by one process in the same millisecond (concurrent tests).
  const name = `edgealchemy_test_${Date.now().toString(36)}_${process.pid}_${crypto.randomUUID().slice(0, 8)}`
  await withClient(url, (client) => client.query(`CREATE DATABASE "${name}"`))
  const scratch = new URL(url)
  scratch.pathname = `/${name}`
  return {
    url: scratch.toString(),
    drop: async () => {
      await withClient(url, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
    },
  }
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

async function canConnect(url: string): Promise<boolean> {
  try {
    await withClient(url, (client) => client.query("select 1"))
    return true
  } catch {
    return false
  }
}

function startLocalCluster(): boolean {
  try {
    const [version] = readdirSync("/etc/postgresql")
    if (!version) return false
    execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "start"], {
      stdio: "ignore",
    })
    return true
  } catch {
    return false
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")
}
