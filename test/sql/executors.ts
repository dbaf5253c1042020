// Runs compiled Core statements on the real drivers through the local stand-ins, with no engine in
// between: the SQL Core tests check what the compiler produces, not what an engine adds.
import { createClient } from "@libsql/client/web"
import { neon, neonConfig } from "@neondatabase/serverless"
import { inject } from "vitest"
import { type DdlTarget, type Dialect, postgresql, type Statement, sqlite } from "../../src/index.ts"

export interface TestExecutor extends DdlTarget {
  readonly name: "postgresql" | "sqlite"
  /** Runs a statement; rows come back as arrays of driver values. */
  execute(statement: Statement): Promise<unknown[][]>
  /** Runs SQL written by hand (for checking what the statements did). */
  raw(sql: string, params?: unknown[]): Promise<unknown[][]>
  close(): void
}

export function postgresExecutor(scope: string): TestExecutor {
  const endpoint = inject("neon")
  neonConfig.fetchEndpoint = `${endpoint.httpUrl}/s/${scope}/sql`
  const sql = neon(endpoint.connectionString, { arrayMode: true })
  const raw = async (text: string, params: unknown[] = []) => (await sql.query(text, params)) as unknown[][]
  return executor("postgresql", postgresql, raw, () => {})
}

export function sqliteExecutor(scope: string): TestExecutor {
  const endpoint = inject("libsql")
  const client = createClient({
    url: `${endpoint.url}/s/${scope}/`,
    authToken: endpoint.authToken,
    intMode: "bigint",
  })
  const raw = async (text: string, params: unknown[] = []) => {
    const result = await client.execute({ sql: text, args: params as never })
    return result.rows.map((row) => Array.from(row))
  }
  return executor("sqlite", sqlite, raw, () => client.close())
}

function executor(
  name: "postgresql" | "sqlite",
  dialect: Dialect,
  raw: (sql: string, params?: unknown[]) => Promise<unknown[][]>,
  close: () => void,
): TestExecutor {
  return {
    name,
    dialect,
    raw,
    close,
    execute: (statement) => {
      const { sql, params } = statement.compile(dialect)
      return raw(sql, [...params])
    },
  }
}
