// One request of a pipeline, run on its stream. A HranaError becomes this request's error result; a
// ProtocolError escapes and fails the whole HTTP request (see pipeline.ts).
import { compileBatch, compileStatement, resolveSql, runBatch } from "./batch.ts"
import { HranaError, ProtocolError } from "./errors.ts"
import type { StreamRequest } from "./requests.ts"
import { analyzeSequence, analyzeSingleStatement } from "./sql-analysis.ts"
import {
  describeStatement,
  type ExecutionContext,
  type ProtocolVersion,
  parseAll,
  runStatement,
} from "./statement-runner.ts"
import type { Stream, StreamRegistry } from "./streams.ts"

/** sqld's limits on stored SQL texts, per stream. */
const MAX_STORED_SQLS = 50
const MAX_STORED_SQL_BYTES = 5_000

export type StreamResult =
  | { type: "ok"; response: { type: string } & Record<string, unknown> }
  | { type: "error"; error: { message: string; code: string } }

export interface RequestEnvironment {
  registry: StreamRegistry
  stream: Stream
  version: ProtocolVersion
  /** Builds the execution context for the stream's connection (throws if the stream was closed). */
  context: () => ExecutionContext
}

export async function handleStreamRequest(
  env: RequestEnvironment,
  request: StreamRequest,
): Promise<StreamResult> {
  try {
    return { type: "ok", response: { type: request.type, ...(await respond(env, request)) } }
  } catch (error) {
    if (error instanceof HranaError) return { type: "error", error: error.toProto() }
    throw error
  }
}

async function respond(env: RequestEnvironment, request: StreamRequest): Promise<Record<string, unknown>> {
  const { stream } = env
  switch (request.type) {
    case "close":
      env.registry.closeConnection(stream)
      return {}
    case "execute": {
      const context = env.context()
      const compiled = compileStatement(request.stmt, stream.sqls)
      return { result: await runStatement(context, compiled.statement, compiled.args, compiled.wantRows) }
    }
    case "batch": {
      const context = env.context()
      return { result: await runBatch(context, compileBatch(request.steps, stream.sqls, env.version)) }
    }
    case "sequence": {
      const context = env.context()
      const statements = analyzeSequence(resolveSql(request.sql, request.sqlId, stream.sqls))
      await parseAll(context, statements)
      for (const statement of statements) {
        await runStatement(context, statement, { kind: "positional", values: [] }, false)
      }
      return {}
    }
    case "describe": {
      const context = env.context()
      const statement = analyzeSingleStatement(resolveSql(request.sql, request.sqlId, stream.sqls))
      return { result: await describeStatement(context, statement) }
    }
    case "store_sql":
      storeSql(stream.sqls, request.sqlId, request.sql)
      return {}
    case "close_sql":
      stream.sqls.delete(request.sqlId)
      return {}
    case "get_autocommit": {
      if (env.version < 3) {
        throw new ProtocolError(
          "The `get_autocommit` request is only supported in protocol version hrana3 and higher",
        )
      }
      return { is_autocommit: !env.context().connection.inTransaction }
    }
  }
}

function storeSql(sqls: Map<number, string>, sqlId: number, sql: string): void {
  if (sqls.has(sqlId)) throw new ProtocolError(`SQL text ${sqlId} already exists`)
  if (sqls.size >= MAX_STORED_SQLS) {
    throw new HranaError(
      `The server already stores ${sqls.size} SQL texts, it cannot store more`,
      "SQL_STORE_TOO_MANY",
    )
  }
  const bytes = Buffer.byteLength(sql)
  if (bytes > MAX_STORED_SQL_BYTES) {
    throw new HranaError(
      `The statement is too large to be stored: ${byteSize(bytes)}/${byteSize(MAX_STORED_SQL_BYTES)}`,
      "SQL_STORE_TOO_LARGE",
    )
  }
  sqls.set(sqlId, sql)
}

/**
 * A size as sqld words it: the Display of the `bytesize` crate it uses (1.3.0), "5.0 KB". Its units are
 * powers of 1000 but the exponent is chosen with ln(1024), so 1,000,000 B is "1000.0 KB"; one decimal,
 * from the f64 quotient, rounded as Rust's `{:.1}` does (an exact tie to even).
 */
export function byteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const exponent = Math.max(1, Math.floor(Math.log(bytes) / 6.931471806))
  const quotient = bytes / 1000 ** exponent
  // toFixed rounds the exact value too, but a tie up; a tie is a quotient of k + 0.25 or k + 0.75.
  const quarters = quotient * 4
  const tie = Number.isInteger(quarters) && quarters % 2 === 1
  const tenths = Math.floor(quotient * 10)
  const fixed = tie ? (tenths % 2 === 0 ? tenths : tenths + 1) / 10 : quotient
  return `${fixed.toFixed(1)} ${"KMGTPE"[exponent - 1]}B`
}
