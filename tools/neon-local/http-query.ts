// One query of a SQL-over-HTTP request, run as Neon's proxy runs it: the extended protocol (so several
// statements in one query are refused, as on Neon), values the text PostgreSQL sent (converted to JSON
// values unless the request asks for raw text, as the driver always does), rows counted against the
// response's size limit, and COPY refused.
import type pg from "pg"
import { type ElementTypes, paramsToText, textToJson } from "./json-values.ts"

export interface QueryData {
  query: string
  params?: unknown[]
  /** This query's row shape, over the request's `Neon-Array-Mode` (Neon reads it from the body). */
  arrayMode?: boolean
}

/** How the request asks for rows: `Neon-Array-Mode` and `Neon-Raw-Text-Output`. */
export interface RowFormat {
  arrayMode: boolean
  rawText: boolean
}

/** Neon's limit on an answer's rows (`sql_over_http_max_response_size_bytes`). */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024

/** Rows past Neon's limit: the answer is 507, and a batch is rolled back (it never commits). */
export class ResponseTooLarge extends Error {
  constructor() {
    super(`response is too large (max is ${MAX_RESPONSE_BYTES} bytes)`)
  }
}

/**
 * A COPY to or from the client (STDIN, STDOUT). Neon's proxy reads the CopyInResponse or
 * CopyOutResponse as a protocol error of its PostgreSQL client (tokio-postgres) and answers with that
 * client's message; there is no HTTP body to copy from or to. No SQLSTATE: the connection is not reused.
 */
export class CopyRefused extends Error {
  constructor() {
    super("unexpected message from server")
  }
}

/** pg's parsers turned off: values stay the text PostgreSQL sent, as Neon returns them. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value }

/** One query's answer; `budget` is what is left of the response's bytes, counted as Neon counts them:
 *  each row's DataRow body as PostgreSQL sent it (4 bytes per value plus its text in UTF-8), whatever
 *  JSON the row then becomes. */
export async function runQuery(
  client: pg.Client,
  data: QueryData,
  format: RowFormat,
  budget: { bytes: number },
) {
  const arrayMode = data.arrayMode ?? format.arrayMode
  const copy = refuseCopy(client)
  let result: pg.QueryResult<unknown[]>
  try {
    result = await client.query({
      text: data.query,
      values: paramsToText(data.params ?? []),
      rowMode: "array",
      types: RAW_TEXT,
      queryMode: "extended",
    } as pg.QueryConfig)
  } catch (error) {
    throw copy.seen ? new CopyRefused() : error
  } finally {
    copy.stop()
  }
  if (copy.seen) throw new CopyRefused()
  for (const row of result.rows) {
    for (const value of row) budget.bytes -= 4 + (value === null ? 0 : Buffer.byteLength(value as string))
    if (budget.bytes < 0) throw new ResponseTooLarge()
  }
  const fields = result.fields.map((field) => ({
    name: field.name,
    dataTypeID: field.dataTypeID,
    tableID: field.tableID,
    columnID: field.columnID,
    dataTypeSize: field.dataTypeSize,
    dataTypeModifier: field.dataTypeModifier,
    format: "text",
  }))
  const elements = format.rawText ? new Map() : await arrayElementTypes(client, fields)
  const values = (row: unknown[]) =>
    format.rawText
      ? row
      : row.map((text, i) => textToJson(text as string | null, fields[i]?.dataTypeID ?? 0, elements))
  const rows = result.rows.map((row) => {
    const converted = values(row)
    return arrayMode ? converted : Object.fromEntries(fields.map((field, i) => [field.name, converted[i]]))
  })
  // An empty query has no command tag: Neon names its command "".
  return { command: result.command ?? "", rowCount: result.rowCount, rowAsArray: arrayMode, fields, rows }
}

/** Built-in types never change their element type: asked once. */
const knownElements = new Map<number, number | undefined>()
const FIRST_USER_OID = 16384

/** Which of the columns' types are arrays, and of what: PostgreSQL's catalog, as Neon's proxy asks it. */
async function arrayElementTypes(client: pg.Client, fields: { dataTypeID: number }[]): Promise<ElementTypes> {
  const unknown = [...new Set(fields.map((field) => field.dataTypeID))].filter(
    (oid) => oid >= FIRST_USER_OID || !knownElements.has(oid),
  )
  const found = new Map<number, number>()
  if (unknown.length > 0) {
    const { rows } = await client.query<{ oid: number; element: number }>(
      "SELECT oid::int AS oid, typelem::int AS element FROM pg_type WHERE oid = ANY($1::oid[]) AND typcategory = 'A'",
      [unknown],
    )
    for (const row of rows) found.set(row.oid, row.element)
    for (const oid of unknown) if (oid < FIRST_USER_OID) knownElements.set(oid, found.get(oid))
  }
  for (const { dataTypeID } of fields) {
    const element = knownElements.get(dataTypeID)
    if (element !== undefined) found.set(dataTypeID, element)
  }
  return found
}

/**
 * Watches the connection while one query runs, and ends a COPY at once. For COPY FROM STDIN,
 * node-postgres answers CopyFail but never syncs again: PostgreSQL ignored the Sync it sent with the
 * query (a Sync means nothing in copy-in mode), so after the failure it would wait for one forever, and
 * so would the request. A CopyFail and a Sync of our own end it whichever CopyFail comes first
 * (PostgreSQL ignores a CopyFail outside COPY). COPY TO STDOUT runs to its end; only its rows are
 * dropped.
 */
function refuseCopy(client: pg.Client): { readonly seen: boolean; stop(): void } {
  const connection = client.connection as pg.Connection & { sendCopyFail(message: string): void }
  let seen = false
  const copyIn = () => {
    seen = true
    connection.sendCopyFail("COPY from the client is not possible over HTTP")
    connection.sync()
  }
  const copyOut = () => {
    seen = true
  }
  connection.on("copyInResponse", copyIn)
  connection.on("copyOutResponse", copyOut)
  return {
    get seen() {
      return seen
    },
    stop() {
      connection.off("copyInResponse", copyIn)
      connection.off("copyOutResponse", copyOut)
    },
  }
}
