// A PostgreSQL database of the benchmark's own (fresh name, dropped afterwards, even on failure), at
// PG_URL's server, so a benchmark never sees another run's tables or rows.
import pg from "pg"
import { BenchmarkError } from "./benchmark-error.ts"

export const PG_URL = process.env.PG_URL || "postgres://postgres@127.0.0.1:5432/postgres"

let created = 0

export async function withScratchDatabase<T>(use: (url: string) => Promise<T>, server = PG_URL): Promise<T> {
  const name = `edgealchemy_bench_${Date.now().toString(36)}_${process.pid}_${created++}`
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  try {
    await admin(`CREATE DATABASE "${name}"`)
  } catch (error) {
    throw new BenchmarkError(
      `No PostgreSQL to create a scratch database in at ${server} (${String(error)}); set PG_URL to one`,
    )
  }
  const url = new URL(server)
  url.pathname = `/${name}`
  try {
    return await use(url.toString())
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  }
}
