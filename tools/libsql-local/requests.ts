// Decodes Hrana-over-HTTP JSON bodies into checked structures. Anything malformed is a ProtocolError
// (HTTP 400), as sqld's serde deserialization failure is. Unknown fields are ignored (the spec's
// forward-compatibility rule).
import { parseLikeSerde, repeatedKeys } from "../serde-json.ts"
import { ProtocolError } from "./errors.ts"
import { type SqlValue, valueFromProto } from "./values.ts"

export interface StmtRequest {
  sql: string | undefined
  sqlId: number | undefined
  args: SqlValue[]
  namedArgs: Map<string, SqlValue>
  wantRows: boolean
}

export type BatchCondition =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: BatchCondition }
  | { type: "and" | "or"; conds: BatchCondition[] }
  | { type: "is_autocommit" }

export interface BatchStep {
  condition: BatchCondition | undefined
  stmt: StmtRequest
}

export type StreamRequest =
  | { type: "close" }
  | { type: "execute"; stmt: StmtRequest }
  | { type: "batch"; steps: BatchStep[] }
  | { type: "sequence" | "describe"; sql: string | undefined; sqlId: number | undefined }
  | { type: "store_sql"; sqlId: number; sql: string }
  | { type: "close_sql"; sqlId: number }
  | { type: "get_autocommit" }

export interface PipelineBody {
  baton: string | undefined
  requests: StreamRequest[]
}

export interface CursorBody {
  baton: string | undefined
  steps: BatchStep[]
}

/** The body as sqld's serde_json reads it (../serde-json.ts): text that is not UTF-8, half a surrogate
 *  pair or nesting past 128 levels is refused in serde_json's words, as sqld refuses it. */
export function parseJsonBody(bytes: Uint8Array): Record<string, unknown> {
  let read: ReturnType<typeof parseLikeSerde>
  try {
    read = parseLikeSerde(bytes)
  } catch (error) {
    throw invalid("body", error instanceof Error ? error.message : String(error))
  }
  if ("refusal" in read)
    throw new ProtocolError(`Cannot deserialize client message from JSON: ${read.refusal}`)
  return read.value as Record<string, unknown>
}

export function decodePipelineBody(raw: Record<string, unknown>): PipelineBody {
  const body = object(raw, "body", ["baton", "requests"])
  const requests = array(body.requests, "requests").map((request, i) =>
    streamRequest(request, `requests[${i}]`),
  )
  return { baton: optionalString(body.baton, "baton"), requests }
}

export function decodeCursorBody(raw: Record<string, unknown>): CursorBody {
  const body = object(raw, "body", ["baton", "batch"])
  return { baton: optionalString(body.baton, "baton"), steps: batchSteps(body.batch, "batch") }
}

/** The fields of each request type (with `type`, serde's tag): given twice, serde refuses them. */
const REQUEST_FIELDS: Record<string, string[]> = {
  close: [],
  get_autocommit: [],
  execute: ["stmt"],
  batch: ["batch"],
  sequence: ["sql", "sql_id", "replication_index"],
  describe: ["sql", "sql_id", "replication_index"],
  store_sql: ["sql_id", "sql"],
  close_sql: ["sql_id"],
}

export function streamRequest(raw: unknown, where: string): StreamRequest {
  const request = object(raw, where, ["type"])
  object(raw, where, REQUEST_FIELDS[String(request.type)] ?? [])
  switch (request.type) {
    case "close":
    case "get_autocommit":
      return { type: request.type }
    case "execute":
      return { type: "execute", stmt: stmt(request.stmt, `${where}.stmt`) }
    case "batch":
      return { type: "batch", steps: batchSteps(request.batch, `${where}.batch`) }
    case "sequence":
    case "describe":
      return {
        type: request.type,
        sql: optionalString(request.sql, `${where}.sql`),
        sqlId: optionalInt(request.sql_id, `${where}.sql_id`),
      }
    case "store_sql":
      return {
        type: "store_sql",
        sqlId: int(request.sql_id, `${where}.sql_id`),
        sql: string(request.sql, `${where}.sql`),
      }
    case "close_sql":
      return { type: "close_sql", sqlId: int(request.sql_id, `${where}.sql_id`) }
    default:
      throw invalid(where, `unknown request type ${JSON.stringify(request.type)}`)
  }
}

function batchSteps(raw: unknown, where: string): BatchStep[] {
  const batch = object(raw, where, ["steps", "replication_index"])
  return array(batch.steps, `${where}.steps`).map((rawStep, i) => {
    const step = object(rawStep, `${where}.steps[${i}]`, ["condition", "stmt"])
    const condition =
      step.condition === undefined || step.condition === null
        ? undefined
        : batchCondition(step.condition, `${where}.steps[${i}].condition`)
    return { condition, stmt: stmt(step.stmt, `${where}.steps[${i}].stmt`) }
  })
}

const CONDITION_FIELDS: Record<string, string[]> = {
  ok: ["step"],
  error: ["step"],
  not: ["cond"],
  and: ["conds"],
  or: ["conds"],
  is_autocommit: [],
}

function batchCondition(raw: unknown, where: string): BatchCondition {
  const cond = object(raw, where, ["type"])
  object(raw, where, CONDITION_FIELDS[String(cond.type)] ?? [])
  switch (cond.type) {
    case "ok":
    case "error":
      return { type: cond.type, step: int(cond.step, `${where}.step`) }
    case "not":
      return { type: "not", cond: batchCondition(cond.cond, `${where}.cond`) }
    case "and":
    case "or":
      return {
        type: cond.type,
        conds: array(cond.conds, `${where}.conds`).map((c, i) => batchCondition(c, `${where}.conds[${i}]`)),
      }
    case "is_autocommit":
      return { type: "is_autocommit" }
    default:
      throw invalid(where, `unknown condition type ${JSON.stringify(cond.type)}`)
  }
}

function stmt(raw: unknown, where: string): StmtRequest {
  const body = object(raw, where, ["sql", "sql_id", "args", "named_args", "want_rows", "replication_index"])
  const args = optionalArray(body.args, `${where}.args`).map((value, i) =>
    valueFromProto(value, `${where}.args[${i}]`),
  )
  const namedArgs = new Map<string, SqlValue>()
  optionalArray(body.named_args, `${where}.named_args`).forEach((rawArg, i) => {
    const arg = object(rawArg, `${where}.named_args[${i}]`, ["name", "value"])
    namedArgs.set(
      string(arg.name, `${where}.named_args[${i}].name`),
      valueFromProto(arg.value, `${where}.named_args[${i}].value`),
    )
  })
  const wantRows = body.want_rows
  if (wantRows !== undefined && wantRows !== null && typeof wantRows !== "boolean") {
    throw invalid(`${where}.want_rows`, "expected a boolean")
  }
  return {
    sql: optionalString(body.sql, `${where}.sql`),
    sqlId: optionalInt(body.sql_id, `${where}.sql_id`),
    args,
    namedArgs,
    wantRows: wantRows ?? true,
  }
}

/** `raw` as an object; one of its `fields` given twice is refused in serde's words (a derived
 *  Deserialize refuses it; a key it does not know may come twice). */
export function object(raw: unknown, where: string, fields: readonly string[] = []): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw invalid(where, "expected an object")
  const repeated = repeatedKeys(raw).find((key) => fields.includes(key))
  if (repeated !== undefined) {
    throw new ProtocolError(`Cannot deserialize client message from JSON: duplicate field \`${repeated}\``)
  }
  return raw as Record<string, unknown>
}

function array(raw: unknown, where: string): unknown[] {
  if (!Array.isArray(raw)) throw invalid(where, "expected an array")
  return raw
}

function optionalArray(raw: unknown, where: string): unknown[] {
  return raw === undefined || raw === null ? [] : array(raw, where)
}

function string(raw: unknown, where: string): string {
  if (typeof raw !== "string") throw invalid(where, "expected a string")
  return raw
}

function optionalString(raw: unknown, where: string): string | undefined {
  return raw === undefined || raw === null ? undefined : string(raw, where)
}

function int(raw: unknown, where: string): number {
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < -(2 ** 31) || raw >= 2 ** 31) {
    throw invalid(where, "expected a 32-bit integer")
  }
  return raw
}

function optionalInt(raw: unknown, where: string): number | undefined {
  return raw === undefined || raw === null ? undefined : int(raw, where)
}

function invalid(where: string, detail: string): ProtocolError {
  return new ProtocolError(`Cannot deserialize client message from JSON: ${where}: ${detail}`)
}
