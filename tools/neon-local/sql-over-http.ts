// Neon's SQL-over-HTTP endpoint (`POST /sql`): one query, or a batch run as one transaction, answered
// with its rows in the format the request's headers ask for, or Neon's error body with Neon's words. A
// request whose client went away is cancelled on PostgreSQL, as Neon's proxy cancels it, and its
// connection is never reused.
import type pg from "pg"
import { parseLikeSerde, repeatedKeys } from "../serde-json.ts"
import { asNeonAuthError, type EndpointAccess } from "./access.ts"
import { type Credentials, parseConnectionString } from "./connection-string.ts"
import {
  MAX_RESPONSE_BYTES,
  type QueryData,
  ResponseTooLarge,
  type RowFormat,
  runQuery,
} from "./http-query.ts"
import { PoolExhausted, type UpstreamPool } from "./upstream-pool.ts"

export interface HttpAnswer {
  status: number
  body: unknown
  /** Response headers beyond the content type: a batch's transaction settings, echoed as Neon does. */
  headers?: Record<string, string>
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

/** Neon's limit on a request's body (`sql_over_http_max_request_size_bytes`). */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024

/** Neon's answer (413) to a body over the limit. */
export function requestTooLarge(): unknown {
  return notFromDatabase(`request is too large (max is ${MAX_REQUEST_BYTES} bytes)`).body
}

/** The answer (408) to a body that did not arrive whole in time (Neon's words for a body it could not
 *  read, then neon-local's limit and what to do). */
export function bodyTimedOut(timeoutMs: number): unknown {
  return notFromDatabase(
    `could not read the HTTP request body: it did not arrive whole within ${timeoutMs} ms (neon-local's limit); send the whole body with the request`,
  ).body
}

/** One `POST /sql`, as read off the wire. */
export interface SqlRequest {
  headers: Record<string, string | undefined>
  /** As received: decoded as Neon's proxy decodes it. */
  body: Uint8Array
  /** Called once for every statement run (the `statements` counter). */
  countStatement: () => void
  /** Aborted when the client goes away before its answer: what runs then is cancelled. */
  signal: AbortSignal
  /** Fault injection: run everything, then roll it back, as if the connection dropped before COMMIT. */
  rollBackAtEnd?: boolean
  /** How long the request may hold its PostgreSQL connection (0: no limit); past it what runs is
   *  cancelled and the answer is queryTimedOut's. */
  timeoutMs: number
}

/**
 * Neon's answer (504) to a request that outran `--sql-over-http-timeout` (default 15 s), word for word,
 * "exeeded" and all, from the proxy's sql_over_http.rs of 2023, which wrapped the whole request in it.
 * Today's proxy still declares the flag with that default but no longer reads it: there only a client
 * that goes away cancels a query. neon-local counts from when the request has its connection, so that
 * the pool's own wait keeps its 53300.
 */
export function queryTimedOut(timeoutMs: number): HttpAnswer {
  return {
    status: 504,
    body: {
      message: `HTTP-Connection timed out, execution time exeeded ${timeoutMs / 1000} seconds`,
      code: 504,
    },
  }
}

type RunOne = (query: QueryData) => ReturnType<typeof runQuery>

export async function handleSql(
  pool: UpstreamPool,
  access: EndpointAccess,
  request: SqlRequest,
): Promise<HttpAnswer> {
  const { headers, signal, rollBackAtEnd } = request
  const credentials = parseConnectionString(headers["neon-connection-string"])
  if (typeof credentials === "string") return notFromDatabase(credentials)
  // Neon reads the isolation level of every request, a single query's too, and refuses one it does
  // not know rather than run the batch at the default level.
  const isolation = headers["neon-batch-isolation-level"]
  if (isolation !== undefined && !Object.hasOwn(ISOLATION, isolation))
    return notFromDatabase("invalid isolation level")
  const refusal =
    access.hostRefusal(credentials.host, credentials.user) ??
    access.passwordRefusal(credentials.user, credentials.password)
  if (refusal) return databaseError({ ...refusal, severity: "FATAL" })
  // Read as Neon's serde_json reads it: not UTF-8, half a surrogate pair or nesting past 128 levels is
  // refused, where JSON.parse would let PostgreSQL store U+FFFD or overflow nothing at all.
  let read: ReturnType<typeof parseLikeSerde>
  try {
    read = parseLikeSerde(request.body)
  } catch (error) {
    return notFromDatabase(`could not parse the HTTP request body: ${(error as Error).message}`)
  }
  if ("refusal" in read) return notFromDatabase(`could not parse the HTTP request body: ${read.refusal}`)
  const payload = read.value as { query?: unknown; params?: unknown; queries?: unknown } | null
  // Neon's body is one query, else a batch (serde's untagged enum tries them in that order). A field
  // given twice fails its variant, as serde's derive refuses it ("duplicate field").
  const batch =
    isQueryData(payload) || typeof payload !== "object" || payload === null || repeats(payload, ["queries"])
      ? undefined
      : payload.queries
  const queries = Array.isArray(batch) && batch.every(isQueryData) ? batch : undefined
  if (!queries && !isQueryData(payload))
    return notFromDatabase(
      "could not parse the HTTP request body: data did not match any variant of untagged enum Payload",
    )
  const format: RowFormat = {
    arrayMode: headers["neon-array-mode"] === "true",
    rawText: headers["neon-raw-text-output"] === "true",
  }
  let client: pg.Client
  try {
    client = await pool.acquire(credentials.user, credentials.database, signal)
  } catch (error) {
    if (signal.aborted) return cancelled()
    // Neon's status for a database that refuses a connection (ErrorKind::Postgres).
    if (error instanceof PoolExhausted) return { status: 500, body: databaseError(error).body }
    return databaseError(asNeonAuthError(error as { code?: unknown }, credentials.user))
  }
  const cancelOnAbort = () => pool.cancel(client)
  signal.addEventListener("abort", cancelOnAbort, { once: true })
  let timedOut = false
  const deadline =
    request.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true
          pool.cancel(client)
        }, request.timeoutMs)
      : undefined
  let healthy = true
  const budget = { bytes: MAX_RESPONSE_BYTES }
  const run: RunOne = (query) => {
    signal.throwIfAborted()
    if (timedOut) throw new QueryTimedOut()
    request.countStatement()
    return runQuery(client, query, format, budget)
  }
  try {
    if (!queries || rollBackAtEnd) {
      if (rollBackAtEnd) await client.query("BEGIN")
      const results = []
      for (const query of queries ?? [payload as QueryData]) results.push(await run(query))
      if (rollBackAtEnd) await client.query("ROLLBACK")
      return { status: 200, body: queries ? { results } : results[0] }
    }
    const results = await runBatch(client, queries, headers, run)
    return { status: 200, body: { results }, headers: batchSettings(headers) }
  } catch (error) {
    if (signal.aborted) return cancelled()
    // What the cancel interrupted (57014), or a batch's next query never sent; a query that finished
    // first keeps its answer.
    if (timedOut) return queryTimedOut(request.timeoutMs)
    if (error instanceof ResponseTooLarge) return { status: 507, body: notFromDatabase(error.message).body }
    healthy = !(error instanceof Error && !("code" in error))
    return databaseError(error)
  } finally {
    clearTimeout(deadline)
    signal.removeEventListener("abort", cancelOnAbort)
    // After a cancel, never reuse the connection: a CancelRequest that arrives late would cancel
    // whatever the next request runs on it.
    await pool.release(
      client,
      credentials.user,
      credentials.database,
      healthy && !signal.aborted && !timedOut,
      headers["neon-pool-opt-in"] === "true",
    )
  }
}

/** The request's time ran out before this query of its batch was sent. */
class QueryTimedOut extends Error {}

async function runBatch(
  client: pg.Client,
  queries: QueryData[],
  headers: Record<string, string | undefined>,
  run: RunOne,
) {
  const level = ISOLATION[headers["neon-batch-isolation-level"] ?? ""]
  const readOnly = headers["neon-batch-read-only"] === "true"
  const deferrable = headers["neon-batch-deferrable"] === "true"
  await client.query(
    `BEGIN${level ? ` ISOLATION LEVEL ${level}` : ""}${readOnly ? " READ ONLY" : ""}${deferrable ? " DEFERRABLE" : ""}`,
  )
  try {
    const results = []
    for (const query of queries) results.push(await run(query))
    await client.query("COMMIT")
    return results
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined)
    throw error
  }
}

/** Whether `value` holds one of `fields` more than once (JSON.parse would keep the last). */
function repeats(value: object, fields: readonly string[]): boolean {
  return repeatedKeys(value).some((key) => fields.includes(key))
}

function isQueryData(value: unknown): value is QueryData {
  if (typeof value !== "object" || value === null) return false
  if (repeats(value, ["query", "params", "arrayMode"])) return false
  const { query, params, arrayMode } = value as { query?: unknown; params?: unknown; arrayMode?: unknown }
  return (
    typeof query === "string" &&
    (params === undefined || Array.isArray(params)) &&
    (arrayMode === undefined || arrayMode === null || typeof arrayMode === "boolean")
  )
}

/** Neon answers a batch with the transaction settings it ran under, as response headers. */
function batchSettings(headers: Record<string, string | undefined>): Record<string, string> {
  const settings: Record<string, string> = {}
  if (headers["neon-batch-read-only"] === "true") settings["neon-batch-read-only"] = "true"
  if (headers["neon-batch-deferrable"] === "true") settings["neon-batch-deferrable"] = "true"
  const level = headers["neon-batch-isolation-level"]
  if (level !== undefined) settings["neon-batch-isolation-level"] = level
  return settings
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

/** Neon's answer to a request cancelled because its client went away (nobody reads it). */
function cancelled(): HttpAnswer {
  return databaseError({ message: "Query cancelled, connection was terminated", code: "08P01" })
}

function notFromDatabase(message: string): HttpAnswer {
  return databaseError({ message })
}

export type { Credentials }
