// Neon's SQL over HTTP, spoken here rather than through the driver's `neon()`: one POST per statement
// or atomic batch, the request and answer the driver's own (shared/FACTS.md, "HTTP mode"). The driver
// resolves and re-formats the connection string and builds a type registry on every query, work that
// made its query cost 1.7x this one's CPU (npm run bench:get-anatomy). What it is relied on for stays
// its own: pg-types' parsers read the values (HTTP and WebSocket answers stay alike), the default
// endpoint is the driver's, and errors are its NeonDbError, with the same fields and messages.
import { NeonDbError, neonConfig, types } from "@neondatabase/serverless"
import { InvalidRequestError } from "../../errors.ts"
import { hex } from "../../util/hex.ts"
import type { Query, QueryResult } from "../transport.ts"
import type { NeonOptions } from "./settings.ts"

type Parser = (text: string) => unknown

/** Where a connection's requests go and what they carry about it, worked out once per connection. */
export interface HttpTarget {
  readonly endpoint: string
  readonly headers: Readonly<Record<string, string>>
}

/**
 * The endpoint and headers for `url`, read as the driver reads it (as an http: URL, so that the host
 * is parsed as one). A URL that names no user, host or database is refused here, without echoing it:
 * its password would end up in logs.
 */
export function httpTarget(url: string, options: NeonOptions): HttpTarget {
  if (last?.url === url && last.options === options) return last.target
  let parsed: URL | undefined
  try {
    parsed = new URL(`http:${url.slice(url.indexOf(":") + 1)}`)
  } catch {}
  if (!parsed?.username || !parsed.hostname || parsed.pathname.length < 2) {
    throw new InvalidRequestError("The database URL is not postgresql://user:password@host/db")
  }
  const endpoint = options.fetchEndpoint ?? neonConfig.fetchEndpoint
  const target = {
    endpoint:
      typeof endpoint === "function"
        ? (endpoint as (host: string, port: string, opts: object) => string)(parsed.hostname, parsed.port, {
            jwtAuth: false,
          })
        : endpoint,
    headers: {
      "Neon-Connection-String": `postgresql:${parsed.href.slice(5)}`,
      "Neon-Raw-Text-Output": "true",
      "Neon-Array-Mode": "true",
    },
  }
  last = { url, options, target }
  return target
}

/** The target worked out last: an app talks to one database, and connections (one a request) share it. */
let last: { url: string; options: NeonOptions; target: HttpTarget } | undefined

/** pg-types' parsers, or those given in place of some (./transport.ts, in a zoned process). */
export type TypeParsers = (dataTypeId: number) => Parser

/**
 * One request: `queries` alone (a statement) or as a batch, which Neon runs in one transaction whose
 * options are `batchHeaders`. Answers one result per query, or throws what the driver would.
 */
export async function postSql(
  fetch: (endpoint: string, init: RequestInit) => Promise<Response>,
  target: HttpTarget,
  queries: readonly Query[],
  batchHeaders: Record<string, string> | undefined,
  parsers: TypeParsers,
): Promise<QueryResult[]> {
  const prepared = queries.map(({ sql, params }) => ({ query: sql, params: params.map(textOf) }))
  let response: Response
  try {
    response = await fetch(target.endpoint, {
      method: "POST",
      body: JSON.stringify(batchHeaders ? { queries: prepared } : prepared[0]),
      headers: batchHeaders ? { ...target.headers, ...batchHeaders } : target.headers,
    })
  } catch (error) {
    throw Object.assign(new NeonDbError(`Error connecting to database: ${error}`), { sourceError: error })
  }
  if (response.ok) {
    // A body not of Neon's shape (a middlebox's) fails here as a TypeError: a connection's failure.
    const answer: Answer & { results: Answer[] } = await response.json()
    return (batchHeaders ? answer.results : [answer]).map((result) => resultOf(result, parsers))
  }
  if (response.status !== 400) {
    throw new NeonDbError(`Server error (HTTP status ${response.status}): ${await response.text()}`)
  }
  // A database's error: its message and PostgreSQL's fields (code, detail, constraint, ...; null when
  // absent), as the driver's NeonDbError carries them.
  const fields: { message: string } = await response.json()
  throw Object.assign(new NeonDbError(fields.message), fields)
}

interface Answer {
  fields: { name: string; dataTypeID: number }[]
  rows: (string | null)[][]
  rowCount: number | null
}

function resultOf(result: Answer, parsers: TypeParsers): QueryResult {
  const parse = result.fields.map((field) => parsers(field.dataTypeID))
  return {
    columns: result.fields.map((field) => field.name),
    rows: result.rows.map((row) => row.map((text, i) => (text === null ? null : (parse[i] as Parser)(text)))),
    rowsAffected: result.rowCount ?? 0,
  }
}

/** pg-types' own parsers, as the driver reads an answer with no `types` option. */
export const defaultParsers: TypeParsers = types.getTypeParser

/**
 * A parameter as text, as PostgreSQL reads it. The ORM's statements bind strings, numbers and booleans
 * already (../../dialects/postgresql/codecs.ts); a `text()` statement's values may be anything: bytes
 * are bytea's hex, a Date its instant in ISO form, an array a PostgreSQL array literal, another object
 * its JSON, as node-postgres (the WebSocket mode) sends them, but for a Date, which it writes in the
 * process's zone, and an object's `toPostgres()`, which it calls.
 */
export function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value !== "object") return String(value)
  if (value instanceof Uint8Array) return `\\x${hex(value)}`
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return arrayLiteral(value)
  return JSON.stringify(value)
}

/** `{1,"a b",NULL,{2,3}}`: every element quoted but NULL and nested arrays. */
function arrayLiteral(values: readonly unknown[]): string {
  const elements = values.map((value) => {
    if (Array.isArray(value)) return arrayLiteral(value)
    const text = textOf(value)
    return text === null ? "NULL" : `"${text.replace(/[\\"]/g, "\\$&")}"`
  })
  return `{${elements.join(",")}}`
}
