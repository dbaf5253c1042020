// Neon's SQL-over-HTTP endpoint (`POST /sql`): one query, or a batch run as one transaction, answered
// with raw text values and Neon's 400 error body. Every query uses the extended protocol, so several
// statements in one query are refused as on Neon.
import type pg from "pg"
import { asNeonAuthError, type EndpointAccess } from "./access.ts"
import { type Credentials, parseConnectionString } from "./connection-string.ts"
import type { UpstreamPool } from "./upstream-pool.ts"

export interface HttpAnswer {
  status: number
  body: unknown
}

interface QueryData {
  query: string
  params?: unknown[]
}

const ISOLATION: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
}

const ERROR_FIELDS = [
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "severity",
  "where",
  "table",
  "column",
  "schema",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const

/** Neon's limits on a request's body and on its answer's rows (`sql_over_http_max_*_size_bytes`). */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024

/** Neon's answer (413) to a body over the limit. */
export function requestTooLarge(): unknown {
  return notFromDatabase(`Content length exceeds limit of ${MAX_REQUEST_BYTES} bytes`).body
}

/** Rows past Neon's limit: the answer is 507, and a batch is rolled back (it never commits). */
class ResponseTooLarge extends Error {
  constructor() {
    super(`response is too large (max is ${MAX_RESPONSE_BYTES} bytes)`)
  }
}

/** pg's parsers turned off: values stay the text PostgreSQL sent, as Neon returns them. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value }

export async function handleSql(
  pool: UpstreamPool,
  access: EndpointAccess,
  headers: Record<string, string | undefined>,
  body: string,
  countStatement: () => void,
  /** Fault injection: run everything, then roll it back, as if the connection dropped before COMMIT. */
  rollBackAtEnd = false,
): Promise<HttpAnswer> {
  const credentials = parseConnectionString(headers["neon-connection-string"])
  if (typeof credentials === "string") return notFromDatabase(credentials)
  const refusal =
    access.hostRefusal(credentials.host, credentials.user) ??
    access.passwordRefusal(credentials.user, credentials.password)
  if (refusal) return databaseError({ ...refusal, severity: "FATAL" })
  let payload: { query?: unknown; params?: unknown; queries?: unknown }
  try {
    payload = JSON.parse(body)
  } catch {
    return notFromDatabase("request body is not valid JSON")
  }
  const listed = typeof payload === "object" && payload !== null ? payload.queries : undefined
  const queries = Array.isArray(listed) && listed.every(isQueryData) ? listed : undefined
  if (!queries && !isQueryData(payload))
    return notFromDatabase("request body needs a query (text, with params an array) or queries of them")
  const arrayMode = headers["neon-array-mode"] === "true"
  let client: pg.Client
  try {
    client = await pool.acquire(credentials.user, credentials.database)
  } catch (error) {
    return databaseError(asNeonAuthError(error as { code?: unknown }, credentials.user))
  }
  let healthy = true
  const budget = { bytes: MAX_RESPONSE_BYTES }
  try {
    if (!queries || rollBackAtEnd) {
      if (rollBackAtEnd) await client.query("BEGIN")
      const results = []
      for (const query of queries ?? [payload as QueryData]) {
        countStatement()
        results.push(await run(client, query, arrayMode, budget))
      }
      if (rollBackAtEnd) await client.query("ROLLBACK")
      return { status: 200, body: queries ? { results } : results[0] }
    }
    return {
      status: 200,
      body: { results: await runBatch(client, queries, headers, arrayMode, countStatement, budget) },
    }
  } catch (error) {
    if (error instanceof ResponseTooLarge) return { status: 507, body: notFromDatabase(error.message).body }
    healthy = !(error instanceof Error && !("code" in error))
    return databaseError(error)
  } finally {
    await pool.release(
      client,
      credentials.user,
      credentials.database,
      healthy,
      headers["neon-pool-opt-in"] === "true",
    )
  }
}

async function runBatch(
  client: pg.Client,
  queries: QueryData[],
  headers: Record<string, string | undefined>,
  arrayMode: boolean,
  countStatement: () => void,
  budget: { bytes: number },
) {
  const level = ISOLATION[headers["neon-batch-isolation-level"] ?? ""]
  const readOnly = headers["neon-batch-read-only"] === "true"
  const deferrable = headers["neon-batch-deferrable"] === "true"
  await client.query(
    `BEGIN${level ? ` ISOLATION LEVEL ${level}` : ""}${readOnly ? " READ ONLY" : ""}${deferrable ? " DEFERRABLE" : ""}`,
  )
  try {
    const results = []
    for (const query of queries) {
      countStatement()
      results.push(await run(client, query, arrayMode, budget))
    }
    await client.query("COMMIT")
    return results
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined)
    throw error
  }
}

function isQueryData(value: unknown): value is QueryData {
  if (typeof value !== "object" || value === null) return false
  const { query, params } = value as { query?: unknown; params?: unknown }
  return typeof query === "string" && (params === undefined || Array.isArray(params))
}

/** One query's answer; `budget` is what is left of the response's bytes (the rows as JSON count). */
async function run(client: pg.Client, data: QueryData, arrayMode: boolean, budget: { bytes: number }) {
  const result = await client.query({
    text: data.query,
    values: data.params ?? [],
    rowMode: "array",
    types: RAW_TEXT,
    queryMode: "extended",
  } as pg.QueryConfig)
  const fields = result.fields.map((field) => ({
    name: field.name,
    dataTypeID: field.dataTypeID,
    tableID: field.tableID,
    columnID: field.columnID,
    dataTypeSize: field.dataTypeSize,
    dataTypeModifier: field.dataTypeModifier,
    format: "text",
  }))
  const rows = (result.rows as unknown[][]).map((row) =>
    arrayMode ? row : Object.fromEntries(fields.map((field, i) => [field.name, row[i]])),
  )
  budget.bytes -= JSON.stringify(rows).length
  if (budget.bytes < 0) throw new ResponseTooLarge()
  return { command: result.command, rowCount: result.rowCount, rowAsArray: arrayMode, fields, rows }
}

/** Neon's error body: every field present, null when the database did not give it. */
function databaseError(error: unknown): HttpAnswer {
  const source = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>
  const body: Record<string, unknown> = {
    message: error instanceof Error ? error.message : String(source.message ?? error),
  }
  for (const field of ERROR_FIELDS) body[field] = source[field] ?? null
  if (body.code === null) body.code = ""
  if (body.severity === null) body.severity = ""
  return { status: 400, body }
}

function notFromDatabase(message: string): HttpAnswer {
  return databaseError({ message })
}

export type { Credentials }
