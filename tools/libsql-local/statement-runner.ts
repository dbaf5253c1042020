// Runs one analyzed statement on a stream's connection and builds the StmtResult sqld would send.
import { bindArguments, type StatementArguments } from "./arguments.ts"
import { type BusyPolicy, retryWhileBusy } from "./busy-retry.ts"
import type { Connection, PreparedStatement as Prepared } from "./connection-pool.ts"
import { HranaError, hranaErrorFromSqlite } from "./errors.ts"
import type { AnalyzedStatement } from "./sql-analysis.ts"
import { type HranaValue, type SqlValue, valueToProto } from "./values.ts"

export type ProtocolVersion = 2 | 3

/**
 * sqld's default `--max-response-size` (10MB): a statement whose rows pass it fails with
 * RESPONSE_TOO_LARGE, and reading stops there, so one huge query neither exhausts memory nor holds
 * the event loop (every other stream's requests wait while a statement steps).
 */
const MAX_RESPONSE_BYTES = 10_000_000

/** Everything a request needs to run SQL on its stream. */
export interface ExecutionContext {
  connection: Connection
  version: ProtocolVersion
  busy: BusyPolicy
  /** Called once for every statement that runs (for the `statements` counter). */
  onStatement: () => void
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
  let counted = false
  let phase: "prepare" | "run" = "prepare"
  let prepared: Prepared | undefined
  try {
    return await retryWhileBusy(context.busy, () => {
      phase = "prepare"
      // One prepared statement for every retry: the native binding cannot reset a statement that
      // failed with SQLITE_BUSY, which then stays "in progress" and fails the transaction's COMMIT
      // ("SQL statements in progress"); running that same statement again resets it.
      prepared ??= context.connection.prepare(statement.text).safeIntegers(true)
      // sqld prepares, then binds: a missing table is reported before a missing argument.
      const values = bindArguments(statement.parameterNames, args, statement.isExplain)
      phase = "run"
      if (!counted) {
        counted = true
        context.onStatement()
      }
      return execute(context, statement, prepared, values, wantRows)
    })
  } catch (error) {
    throw hranaErrorFromSqlite(error, phase)
  }
}

function execute(
  context: ExecutionContext,
  statement: AnalyzedStatement,
  prepared: Prepared,
  values: SqlValue[],
  wantRows: boolean,
): StmtResult {
  const started = performance.now()
  const rows: HranaValue[][] = []
  let cols: Column[] = []
  if (prepared.reader) {
    cols = prepared.columns().map((column) => ({ name: column.name, decltype: column.type }))
    // Read every row even when the client wants none: the statement must run to completion (an
    // INSERT ... RETURNING inserts as it steps) and must not keep its read snapshot open.
    let bytes = 0
    for (const row of prepared.raw(true).iterate(values)) {
      if (!wantRows) continue
      const proto = (row as unknown[]).map(valueToProto)
      bytes += JSON.stringify(proto).length
      if (bytes > MAX_RESPONSE_BYTES) {
        throw new HranaError(`Response is too large (over ${MAX_RESPONSE_BYTES} bytes)`, "RESPONSE_TOO_LARGE")
      }
      rows.push(proto)
    }
  } else {
    prepared.run(values)
  }
  const result: StmtResult = { cols, rows, affected_row_count: 0, last_insert_rowid: null }
  if (statement.isIud) {
    // Read from SQLite itself rather than from run(): run() reports 0 changes after RETURNING and
    // gives the rowid as a lossy JS number.
    const [changes, rowid] = changesAndRowid(context.connection)
    result.affected_row_count = Number(changes)
    if (statement.isInsert) result.last_insert_rowid = rowid.toString()
  }
  if (context.version >= 3) result.query_duration_ms = performance.now() - started
  return result
}

const changesStatements = new WeakMap<Connection, Prepared>()

function changesAndRowid(connection: Connection): [bigint, bigint] {
  let prepared = changesStatements.get(connection)
  if (!prepared) {
    prepared = connection.prepare("SELECT changes(), last_insert_rowid()").safeIntegers(true).raw(true)
    changesStatements.set(connection, prepared)
  }
  // all(), not get(): stepping to the end resets the statement, so it holds no read lock afterwards.
  const [row] = prepared.all() as [bigint, bigint][]
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
