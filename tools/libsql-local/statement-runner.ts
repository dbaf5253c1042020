// Runs one analyzed statement on a stream's connection (on the connection's own thread) and builds the
// StmtResult sqld would send. A watchdog interrupts the statement when its client goes away, the server
// stops, or it runs past the statement time limit.

import type { AnswerTally } from "./answer-bytes.ts"
import { bindArguments, type StatementArguments } from "./arguments.ts"
import { type BusyPolicy, retryWhileBusy } from "./busy-retry.ts"
import { type Connection, type Operation, WorkerError } from "./connection.ts"
import {
  HranaError,
  hranaErrorFromSqlite,
  RequestAbandonedError,
  ServerStoppingError,
  StatementTimeLimitError,
  TransactionTimeoutError,
} from "./errors.ts"
import type { Turn } from "./lane.ts"
import type { AnalyzedStatement } from "./sql-analysis.ts"
import type { HranaValue, SqlValue } from "./values.ts"
import type { WriteLock } from "./write-lock.ts"

export type ProtocolVersion = 2 | 3

/**
 * sqld's default `--max-response-size` (10MB): a statement whose rows pass it fails with
 * RESPONSE_TOO_LARGE, and reading stops there, so one huge query does not exhaust memory. The steps of
 * a batch share it (sqld's HranaBatchProtoBuilder gives each step what the earlier ones left).
 */
export const MAX_RESPONSE_BYTES = 10_000_000

/** What is left of a response's bytes, as sqld counts them (connection-worker.cjs, sqldValueSize). */
export interface ResponseBudget {
  bytes: number
}

/**
 * How long an interrupted statement may take to stop. One that has not stopped by then is in a single
 * step the binding cannot interrupt (connection-worker.cjs): its connection is given up, and the
 * request answered without it.
 */
const INTERRUPT_GRACE_MS = 2_000

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
  /** The request's turn in the lane (lane.ts). */
  turn: Turn
  /** How long a transaction may hold the write lock (write-lock.ts). */
  writeLock: WriteLock
  /** This request (sqld's program): once its transaction's time is up, every later statement of it
   *  fails with TRANSACTION_TIMEOUT too. */
  program: { timedOut: boolean }
  /** The request's share of the answers the server holds at once (answer-bytes.ts). */
  answers: AnswerTally
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

/** Transaction control runs through exec on the connection's thread (see connection-worker.cjs). */
const VIA_EXEC = new Set(["txn-begin", "txn-end", "savepoint", "release"])

export async function runStatement(
  context: ExecutionContext,
  statement: AnalyzedStatement,
  args: StatementArguments,
  wantRows: boolean,
  budget: ResponseBudget = { bytes: MAX_RESPONSE_BYTES },
): Promise<StmtResult> {
  if (context.signal.aborted) throw nobodyWaits(context)
  if (await transactionTimedOut(context)) throw new TransactionTimeoutError()
  const takesWriteLock =
    statement.kind === "write" ||
    (statement.kind === "txn-begin" && /\b(IMMEDIATE|EXCLUSIVE)\b/i.test(statement.text))
  let counted = false
  let firstAttempt: number | undefined
  // sqld prepares, then binds: a missing table is reported before a missing argument.
  let values: SqlValue[] | null = null
  let bindingError: unknown
  try {
    values = bindArguments(statement.parameterNames, args, statement.isExplain)
  } catch (error) {
    bindingError = error
  }
  const viaExec = VIA_EXEC.has(statement.kind) && statement.parameterNames.length === 0
  const result = await retryWhileBusy(
    context.busy,
    async () => {
      const operation: Operation = {
        type: "run",
        sql: statement.text,
        values,
        wantRows,
        isIud: statement.isIud,
        isInsert: statement.isInsert,
        viaExec,
        retryOf: firstAttempt,
        maxResponseBytes: Math.min(budget.bytes, context.answers.room()),
      }
      try {
        const outcome = await watched<Measured | { prepared: true }>(context, operation, (id) => {
          firstAttempt ??= id
        })
        if ("prepared" in outcome) throw bindingError
        return outcome
      } catch (error) {
        // Counted once it ran (it prepared, its arguments matched), however it ended.
        if (!counted && ranAtAll(error, bindingError)) {
          counted = true
          context.onStatement()
        }
        throw error
      }
    },
    {
      beforePause: () => context.turn.leave(),
      afterPause: () => context.turn.take(),
      stealLock: () => context.writeLock.steal(context.connection),
      lockHolderDeadline: () => context.writeLock.holderDeadline(context.connection),
    },
  ).catch((error: unknown) => {
    // A write that failed otherwise than for the lock (a constraint) took it all the same.
    if (takesWriteLock && !isBusy(error)) context.writeLock.taken(context.connection)
    if (error instanceof RequestAbandonedError) throw error
    if (error instanceof WorkerError) {
      if (error.hranaCode === "RESPONSE_TOO_LARGE" && context.answers.room() < budget.bytes) {
        throw new HranaError(`Response is too large: ${context.answers.describe()}`, error.hranaCode)
      }
      if (error.hranaCode) throw new HranaError(error.message, error.hranaCode)
      throw hranaErrorFromSqlite(error, error.phase)
    }
    throw hranaErrorFromSqlite(error, "run")
  })
  if (takesWriteLock) context.writeLock.taken(context.connection)
  if (!counted) context.onStatement()
  const { responseBytes, ...answer } = result
  budget.bytes -= responseBytes ?? 0 // transaction control (run through exec) reads no rows
  context.answers.hold(responseBytes ?? 0)
  if (context.version < 3) delete answer.query_duration_ms
  return answer
}

/**
 * Whether the transaction of this request's stream has had its time on the write lock (write-lock.ts):
 * then it is rolled back, and this statement and every later one of the request fail.
 */
export async function transactionTimedOut(context: ExecutionContext): Promise<boolean> {
  if (!context.program.timedOut && (await context.writeLock.expire(context.connection))) {
    context.program.timedOut = true
  }
  return context.program.timedOut
}

function isBusy(error: unknown): boolean {
  return error instanceof WorkerError && (error.code === "SQLITE_BUSY" || ((error.rawCode ?? 0) & 0xff) === 5)
}

/** A result as the connection's thread sends it: with the bytes it counted against the budget. */
type Measured = StmtResult & { responseBytes?: number }

function ranAtAll(error: unknown, bindingError: unknown): boolean {
  if (error === bindingError) return false
  return !(error instanceof WorkerError && error.phase === "prepare")
}

/** `describe`: prepares without running. */
export async function describeStatement(context: ExecutionContext, statement: AnalyzedStatement) {
  const prepared = await retryWhileBusy(context.busy, () =>
    watched<{ reader: boolean; cols: Column[] }>(context, { type: "describe", sql: statement.text }),
  ).catch((error: unknown) => {
    if (error instanceof RequestAbandonedError) throw error
    throw hranaErrorFromSqlite(error, "prepare")
  })
  const readOnlyKinds = ["read", "txn-begin", "txn-end", "savepoint", "release", "other"]
  return {
    params: statement.parameterNames.map((name) => ({ name: name ?? null })),
    cols: prepared.cols,
    is_explain: statement.isExplain,
    is_readonly: statement.isExplain || readOnlyKinds.includes(statement.kind),
  }
}

/**
 * sqld parses every statement of a batch or a sequence before it runs any: a syntax error in one fails
 * the whole request with SQL_PARSE_ERROR, and nothing runs.
 */
export async function parseAll(context: ExecutionContext, statements: AnalyzedStatement[]): Promise<void> {
  if (statements.length === 0) return
  const found = await watched<{ message?: string }>(context, {
    type: "parse",
    sqls: statements.map((statement) => statement.text),
  })
  if (found.message !== undefined) {
    throw new HranaError(`SQL string could not be parsed: ${found.message}`, "SQL_PARSE_ERROR")
  }
}

type InterruptReason = "abandoned" | "time-limit"

/**
 * Runs an operation under the watchdog: interrupted when nobody waits for its answer any more or when
 * it passes the time limit; given up (with its connection) when it does not stop after that.
 */
async function watched<T>(
  context: ExecutionContext,
  operation: Operation,
  onStart?: (id: number) => void,
): Promise<T> {
  if (context.signal.aborted) throw nobodyWaits(context)
  const { connection } = context
  const started = connection.start<T>(operation)
  onStart?.(started.id)
  let reason: InterruptReason | undefined
  let giveUp: NodeJS.Timeout | undefined
  let abandonedBecause: (error: Error) => void = () => undefined
  const abandoned = new Promise<never>((_, reject) => {
    abandonedBecause = reject
  })
  abandoned.catch(() => undefined)
  const interrupt = (why: InterruptReason) => {
    if (reason) return
    reason = why
    connection.interrupt(started.id)
    giveUp = setTimeout(() => {
      // Still running: one native step the binding cannot interrupt. The connection is given up; its
      // thread ends whenever the step returns.
      connection.abandon("a statement on it could not be interrupted")
      abandonedBecause(failure())
    }, INTERRUPT_GRACE_MS)
    giveUp.unref()
  }
  const failure = (): Error =>
    reason === "time-limit" ? new StatementTimeLimitError(context.timeLimitMs) : nobodyWaits(context)
  const onAbort = () => interrupt("abandoned")
  context.signal.addEventListener("abort", onAbort, { once: true })
  const limit =
    context.timeLimitMs > 0 ? setTimeout(() => interrupt("time-limit"), context.timeLimitMs) : undefined
  limit?.unref()
  const statementEnded = context.turn.statementStarted()
  try {
    return await Promise.race([started.settled, abandoned])
  } catch (error) {
    if (reason) throw failure()
    throw error
  } finally {
    statementEnded()
    clearTimeout(limit)
    clearTimeout(giveUp)
    context.signal.removeEventListener("abort", onAbort)
  }
}

function nobodyWaits(context: ExecutionContext): Error {
  return context.busy.isStopping() ? new ServerStoppingError() : new RequestAbandonedError()
}
