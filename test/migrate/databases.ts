// Fresh databases for one migration test file: a new PostgreSQL database reached through the shared
// neon-local (it routes by database name), and a libsql-local of its own on a new file. Engines count
// their traffic per scope at the stand-ins, so a test can assert requests per revision.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { inject } from "vitest"
import ws from "ws"
import { createEngine, type Engine, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { tablesInDependencyOrder } from "../../src/migrate/schema.ts"
import { introspect } from "../../src/migrate.ts"
import { neon } from "../../src/neon.ts"
import { startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

export type TargetName = "neon-http" | "neon-websocket" | "libsql-http" | "libsql-embedded"

export interface Target {
  readonly name: TargetName
  readonly dialect: "postgresql" | "sqlite"
  /** The URL the CLI would get as DATABASE_URL (unscoped). */
  readonly url: string
  engine(scope?: string): Engine
  /** HTTP requests the stand-in saw for a scope (undefined for the embedded transport). */
  requests(scope: string): Promise<number | undefined>
}

export interface MigrationDatabases {
  readonly targets: readonly Target[]
  /** Every object in both databases dropped, for the next test. */
  reset(): Promise<void>
  stop(): Promise<void>
}

const LIBSQL_TOKEN = "migrate-test-token"

export async function migrationDatabases(): Promise<MigrationDatabases> {
  const neonEndpoint = inject("neon")
  const scratch = await createScratchDatabase(pgUrl())
  const database = new URL(scratch.url).pathname.slice(1)
  const pgConnection = new URL(neonEndpoint.connectionString)
  pgConnection.pathname = `/${database}`
  const libsqlServer = await startLibsqlLocal({ port: 0, authToken: LIBSQL_TOKEN })
  const embeddedDir = mkdtempSync(join(tmpdir(), "ea-migrate-"))
  const embeddedFile = join(embeddedDir, "migrate.db")
  const base = neonEndpoint.httpUrl.replace(/^http:\/\//, "")

  const neonTarget = (mode: "http" | "websocket"): Target => ({
    name: mode === "http" ? "neon-http" : "neon-websocket",
    dialect: "postgresql",
    url: pgConnection.toString(),
    engine: (scope = "default") =>
      createEngine(pgConnection.toString(), {
        driver: neon({
          fetchEndpoint: `${neonEndpoint.httpUrl}/s/${scope}/sql`,
          wsProxy: (host, port) => `${base}/s/${scope}/v2?address=${host}:${port}`,
          useSecureWebSocket: false,
          pipelineConnect: false,
          coalesceWrites: false,
          webSocketConstructor: ws,
          mode,
        }),
      }),
    requests: async (scope) => (await stats(`${neonEndpoint.httpUrl}/s/${scope}/__stats`)).httpRequests,
  })
  const targets: Target[] = [
    neonTarget("http"),
    neonTarget("websocket"),
    {
      name: "libsql-http",
      dialect: "sqlite",
      url: libsqlServer.url,
      engine: (scope = "default") =>
        createEngine(`${libsqlServer.url}/s/${scope}/`, { driver: libsql({ authToken: LIBSQL_TOKEN }) }),
      requests: async (scope) => libsqlServer.stats(scope).httpRequests,
    },
    {
      name: "libsql-embedded",
      dialect: "sqlite",
      url: `file:${embeddedFile}`,
      engine: () => createEngine(`file:${embeddedFile}`, { driver: libsqlEmbedded() }),
      requests: async () => undefined,
    },
  ]
  return {
    targets,
    reset: async () => {
      await dropEverything(targets[0] as Target)
      await dropEverything(targets[2] as Target)
      rmSync(embeddedFile, { force: true })
    },
    stop: async () => {
      await libsqlServer.stop()
      await scratch.drop()
      rmSync(embeddedDir, { recursive: true, force: true })
    },
  }
}

/** The libSQL auth token the CLI tests pass in the environment. */
export const libsqlToken = LIBSQL_TOKEN

async function dropEverything(target: Target): Promise<void> {
  const engine = target.engine("reset")
  if (target.dialect === "postgresql") {
    await engine.execute(text("DROP SCHEMA public CASCADE"))
    await engine.execute(text("CREATE SCHEMA public"))
    return
  }
  const connection = engine.connect()
  try {
    // Dependents first: SQLite checks a dropped table's foreign keys against the tables still there.
    const schema = await introspect(connection)
    const tables = tablesInDependencyOrder([...schema.values()]).reverse()
    await connection.batch([
      text("PRAGMA defer_foreign_keys = ON"),
      ...tables.map((table) => text(`DROP TABLE "${table.name}"`)),
      text("DROP TABLE IF EXISTS edgealchemy_version"),
    ])
  } finally {
    await connection.close()
  }
}

async function stats(url: string): Promise<{ httpRequests: number }> {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`stats at ${url}: HTTP ${response.status}`)
  return (await response.json()) as { httpRequests: number }
}
