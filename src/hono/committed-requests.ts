// The requests whose database work is applied: an error after it must not tell the client to send the
// request again, since what it wrote is saved and would be written twice. dbSession() and
// dbReadSession() watch their request's engine, errorHandler() asks. Held weakly by the request's
// context: nothing outlives its request.
import type { Context } from "hono"
import { mayWrite } from "../engine/connection.ts"
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
      // read. Inside one, SELECT ... FOR UPDATE names a write and writes nothing; SAVEPOINT and the like
      // name none.
      if (commits) committed.add(c)
      else if (!/^\s*SELECT\b/i.test(sql) && mayWrite(new TextStatement(sql))) wrote = true
      return
    }
    wrote = false
  })
}

export function hasCommitted(c: Context): boolean {
  return committed.has(c)
}
