// The requests whose database work is applied: an error after it must not tell the client to send the
// request again, since what it wrote is saved and would be written twice. dbSession() and
// dbReadSession() watch their request's engine, errorHandler() asks. Held weakly by the request's
// context: nothing outlives its request.
import type { Context } from "hono"
import { mayWrite, reads } from "../engine/connection.ts"
import type { Engine } from "../engine/engine.ts"
import { TextStatement } from "../sql/text.ts"

const committed = new WeakSet<Context>()

/**
 * Marks the request once a write of its engine is durable: one sent outside a transaction (a raw
 * INSERT in autocommit, a flush sent with its COMMIT as one request), or the COMMIT of a transaction
 * that wrote. A commit that wrote nothing (commit() with nothing to flush, a transaction that only read)
 * does not: retrying that request writes nothing twice, and the client is still told it may.
 */
export function watchCommits(c: Context, engine: Engine): () => void {
  let wrote = false
  return engine.on("statement", ({ sql, commits, error }) => {
    // A failed COMMIT or write is its own error's to report (outcome_unknown when it may have applied).
    if (error) return
    if (sql === "COMMIT") {
      if (wrote) committed.add(c)
    } else if (sql !== "BEGIN" && sql !== "ROLLBACK") {
      // Outside a transaction the engine tells a possible write (text('SELECT fn()') included) from a
      // read; inside one, the statement is weighed by its text.
      if (commits) committed.add(c)
      else wrote ||= mayWriteInTransaction(sql)
      return
    }
    wrote = false
  })
}

/**
 * Whether SQL sent inside a transaction may write, by the engine's rule for SQL text: a SELECT that
 * calls a function may (SELECT make_order(), nextval('s')), one that calls none only reads, FOR UPDATE
 * included (it locks); other SQL writes when it names a write (SAVEPOINT and the like name none). A
 * query built with select() reads only, but its text may call functions (count(*), a load's json_agg):
 * such a transaction counts as one that wrote, so a failure after its COMMIT is answered `applied`
 * rather than "retry", which never repeats a write.
 */
function mayWriteInTransaction(sql: string): boolean {
  const statement = new TextStatement(sql)
  return /^\s*SELECT\b/i.test(sql) ? !reads(statement) : mayWrite(statement)
}

export function hasCommitted(c: Context): boolean {
  return committed.has(c)
}
