// Batches: statements run in order, each only if its condition holds. As in sqld, every step's SQL is
// resolved, analyzed and parsed before any step runs, so a step that is not one statement (none, two,
// an unsupported one, missing stored SQL, a syntax error) fails the whole batch with nothing done.
import { argumentsOf, type StatementArguments } from "./arguments.ts"
import { HranaError, ProtocolError, TransactionTimeoutError } from "./errors.ts"
import type { BatchCondition, BatchStep, StmtRequest } from "./requests.ts"
import { type AnalyzedStatement, analyzeSingleStatement } from "./sql-analysis.ts"
import {
  type ExecutionContext,
  MAX_RESPONSE_BYTES,
  type ProtocolVersion,
  parseAll,
  runStatement,
  type StmtResult,
  transactionTimedOut,
} from "./statement-runner.ts"

export interface CompiledStatement {
  statement: AnalyzedStatement
  args: StatementArguments
  wantRows: boolean
}

interface CompiledStep extends CompiledStatement {
  condition: BatchCondition | undefined
}

export interface BatchResult {
  step_results: (StmtResult | null)[]
  step_errors: ({ message: string; code: string } | null)[]
}

/** Finds a request's SQL text: inline or stored on the stream with `store_sql`. */
export function resolveSql(
  sql: string | undefined,
  sqlId: number | undefined,
  sqls: Map<number, string>,
): string {
  if (sql !== undefined && sqlId !== undefined) {
    throw new ProtocolError("Either `sql` or `sql_id` are required, but not both")
  }
  if (sql !== undefined) return sql
  if (sqlId === undefined) throw new ProtocolError("Either `sql` or `sql_id` are required")
  const stored = sqls.get(sqlId)
  if (stored === undefined) throw new ProtocolError(`SQL text ${sqlId} not found`)
  return stored
}

export function compileStatement(stmt: StmtRequest, sqls: Map<number, string>): CompiledStatement {
  const statement = analyzeSingleStatement(resolveSql(stmt.sql, stmt.sqlId, sqls))
  return { statement, args: argumentsOf(stmt.args, stmt.namedArgs), wantRows: stmt.wantRows }
}

export function compileBatch(
  steps: BatchStep[],
  sqls: Map<number, string>,
  version: ProtocolVersion,
): CompiledStep[] {
  return steps.map((step, index) => {
    const compiled = compileStatement(step.stmt, sqls)
    if (step.condition) checkCondition(step.condition, index, version)
    return { ...compiled, condition: step.condition }
  })
}

/** A condition may only look at earlier steps; `is_autocommit` exists from Hrana 3 on. */
function checkCondition(condition: BatchCondition, stepIndex: number, version: ProtocolVersion): void {
  switch (condition.type) {
    case "ok":
    case "error":
      if (condition.step < 0 || condition.step >= stepIndex) {
        throw new ProtocolError("Invalid reference to step in a batch condition")
      }
      return
    case "not":
      checkCondition(condition.cond, stepIndex, version)
      return
    case "and":
    case "or":
      for (const cond of condition.conds) checkCondition(cond, stepIndex, version)
      return
    case "is_autocommit":
      if (version < 3) {
        throw new ProtocolError(
          "BatchCond of type `is_autocommit` is only supported in protocol version hrana3 and higher",
        )
      }
  }
}

export async function runBatch(context: ExecutionContext, steps: CompiledStep[]): Promise<BatchResult> {
  await parseAll(
    context,
    steps.map((step) => step.statement),
  )
  const result: BatchResult = { step_results: [], step_errors: [] }
  const budget = { bytes: MAX_RESPONSE_BYTES }
  for (const step of steps) {
    // sqld checks the transaction's time before each step, conditions or not.
    if (await transactionTimedOut(context)) {
      result.step_results.push(null)
      result.step_errors.push(new TransactionTimeoutError().toProto())
      continue
    }
    if (step.condition && !holds(step.condition, result, context)) {
      result.step_results.push(null)
      result.step_errors.push(null)
      continue
    }
    try {
      result.step_results.push(await runStatement(context, step.statement, step.args, step.wantRows, budget))
      result.step_errors.push(null)
    } catch (error) {
      if (!(error instanceof HranaError)) throw error
      result.step_results.push(null)
      result.step_errors.push(error.toProto())
    }
  }
  return result
}

function holds(condition: BatchCondition, result: BatchResult, context: ExecutionContext): boolean {
  switch (condition.type) {
    case "ok":
      return result.step_results[condition.step] != null
    case "error":
      return result.step_errors[condition.step] != null
    case "not":
      return !holds(condition.cond, result, context)
    case "and":
      return condition.conds.every((cond) => holds(cond, result, context))
    case "or":
      return condition.conds.some((cond) => holds(cond, result, context))
    case "is_autocommit":
      return !context.connection.inTransaction
  }
}
