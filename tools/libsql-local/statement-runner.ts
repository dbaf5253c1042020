// Runs one analyzed statement on a stream's connection and builds the StmtResult sqld would send. A
// statement runs up to its first row off the event loop (native-database.ts), under a watchdog that
// interrupts it when its client goes away, the server stops, or it passes the statement time limit.
import { bindArguments, type StatementArguments } from "./arguments.ts"
import { type BusyPolicy, retryWhileBusy } from "./busy-retry.ts"
import type { Connection } from "./connection-pool.ts"
import {
  HranaError,
  hranaErrorFromSqlite,
  RequestAbandonedError,
  ServerStoppingError,
  StatementTimeLimitError,
} from "./errors.ts"
import type { NativeStatement as Prepared } from "./native-database.ts"
import type { AnalyzedStatement } from "./sql-analysis.ts"
import { watchStatement } from "./statement-watchdog.ts"
import { type HranaValue, type SqlValue, valueToProto } from "./values.ts"

export type ProtocolVersion = 2 | 3

/**
 * sqld's default `--max-response-size` (10MB): a statement whose rows pass it fails with
 * RESPONSE_TOO_LARGE, and reading stops there, so one huge query does not exhaust memory.
 */
const MAX_RESPONSE_BYTES = 10_000_000

/**
 * Rows after the first are stepped on the event loop's thread: after this long stepping, the runner
 * lets the event loop serve other clients (and the watchdog's timer) before it reads on. One step
 * that runs long by itself (a filter that rejects millions of rows between two it keeps) still holds
 * the event loop until it returns: the binding offers no way to interrupt it from elsewhere.
 */
const STEPPING_SLICE_MS = 10

/** Everything a request needs to run SQL on its stream. */
export interface ExecutionContext {
  connection: Connection
  version: ProtocolVersion
  busy: BusyPolicy
  /** Called once for every statement that runs (for the `statements` counter). */
  onStatement: () => void
  /** Aborted when nobody waits for the answer any more: the client went away, or the server stops. */
  signal: AbortSignal
  /** A statement running longer is interrupted (0: no limit). */
  timeLimitMs: number
}

export interface Column {
  name: string | null
  decltype: string | null
}

export interface StmtResult {
  cols: Column[]
  rows: HranaValue[][]
  affected_row_count: number
  last_insert_rowid: string | null
  query_duration_ms?: number
}

export async function runStatement(
  context: ExecutionContext,
  statement: AnalyzedStatement,
  args: StatementArguments,
  wantRows: boolean,
): Promise<StmtResult> {
  if (context.signal.aborted) throw nobodyWaits(context)
  let counted = false
  let phase: "prepare" | "run" = "prepare"
  let prepared: Prepared | undefined
  const watchdog = watchStatement(context.connection, context.signal, context.timeLimitMs)
  try {
    return await retryWhileBusy(context.busy, async () => {
      phase = "prepare"
      // One prepared statement for every retry: the native binding cannot reset a statement that
      // failed with SQLITE_BUSY, which then stays "in progress" and fails the transaction's COMMIT
      // ("SQL statements in progress"); running that same statement again resets it.
      prepared ??= (await context.connection.prepare(statement.text)).safeIntegers(true)
      // sqld prepares, then binds: a missing table is reported before a missing argument.
      const values = bindArguments(statement.parameterNames, args, statement.isExplain)
      phase = "run"
      if (!counted) {
        counted = true
        context.onStatement()
      }
      return await execute(context, statement, prepared, values, wantRows)
    })
  } catch (error) {
    if (watchdog.reason === "abandoned") throw nobodyWaits(context)
    if (watchdog.reason === "time-limit") throw new StatementTimeLimitError(context.timeLimitMs)
    throw hranaErrorFromSqlite(error, phase)
  } finally {
    watchdog.stop()
  }
}

function nobodyWaits(context: ExecutionContext): Error {
  return context.busy.isStopping() ? new ServerStoppingError() : new RequestAbandonedError()
}

async function execute(
  context: ExecutionContext,
  statement: AnalyzedStatement,
  prepared: Prepared,
  values: SqlValue[],
  wantRows: boolean,
): Promise<StmtResult> {
  const started = performance.now()
  const rows: HranaValue[][] = []
  let cols: Column[] = []
  if (prepared.reader) {
    cols = prepared.columns().map((column) => ({ name: column.name, decltype: column.type }))
    prepared.raw(true)
  }
  // Every statement, a write too, goes through iterate(), which runs it up to its first row (a write
  // without RETURNING: to its end) off the event loop. Read every row even when the client wants none:
  // the statement must run to completion (an INSERT ... RETURNING inserts as it steps) and must not
  // keep its read snapshot open.
  let bytes = 0
  let slice = performance.now()
  for (const row of await prepared.iterate(values)) {
    if (performance.now() - slice > STEPPING_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve))
      slice = performance.now()
    }
    if (!wantRows) continue
    const proto = (row as unknown[]).map(valueToProto)
    bytes += JSON.stringify(proto).length
    if (bytes > MAX_RESPONSE_BYTES) {
      throw new HranaError(`Response is too large (over ${MAX_RESPONSE_BYTES} bytes)`, "RESPONSE_TOO_LARGE")
    }
    rows.push(proto)
  }
  const result: StmtResult = { cols, rows, affected_row_count: 0, last_insert_rowid: null }
  if (statement.isIud) {
    // Read from SQLite itself: the binding reports 0 changes after RETURNING and gives the rowid as a
    // lossy JS number.
    const [changes, rowid] = await changesAndRowid(context.connection)
    result.affected_row_count = Number(changes)
    if (statement.isInsert) result.last_insert_rowid = rowid.toString()
  }
  if (context.version >= 3) result.query_duration_ms = performance.now() - started
  return result
}

const changesStatements = new WeakMap<Connection, Prepared>()

async function changesAndRowid(connection: Connection): Promise<[bigint, bigint]> {
  let prepared = changesStatements.get(connection)
  if (!prepared) {
    prepared = (await connection.prepare("SELECT changes(), last_insert_rowid()"))
      .safeIntegers(true)
      .raw(true)
    changesStatements.set(connection, prepared)
  }
  // all(), not get(): stepping to the end resets the statement, so it holds no read lock afterwards.
  const [row] = (await prepared.all()) as [bigint, bigint][]
  if (!row) throw new Error("libsql-local: SELECT changes() returned no row")
  return row
}

/** `describe`: prepares without running. */
export async function describeStatement(context: ExecutionContext, statement: AnalyzedStatement) {
  const prepared = await retryWhileBusy(context.busy, () => context.connection.prepare(statement.text)).catch(
    (error: unknown) => {
      throw hranaErrorFromSqlite(error, "prepare")
    },
  )
  const readOnlyKinds = ["read", "txn-begin", "txn-end", "savepoint", "release", "other"]
  return {
    params: statement.parameterNames.map((name) => ({ name: name ?? null })),
    cols: prepared.reader
      ? prepared.columns().map((column) => ({ name: column.name, decltype: column.type }))
      : [],
    is_explain: statement.isExplain,
    is_readonly: statement.isExplain || readOnlyKinds.includes(statement.kind),
  }
}
