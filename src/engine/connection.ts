// A connection: statements, atomic batches, interactive transactions and savepoints over one
// transport. Driver errors become ours here, exactly once, with their SQL and parameters. A statement
// that fails inside a transaction rolls it back at once (to the innermost savepoint if there is one):
// over libSQL HTTP a transaction SQLite already ended would otherwise go on in autocommit. A connection
// that fails after a commit was sent (an atomic batch, an autocommitted write, a COMMIT) raises
// UnknownOutcomeError: the commit may have been applied, and a blind retry could apply it twice.
import { mayHaveApplied } from "../drivers/outcome.ts"
import type { Query, TransactionOptions, Transport } from "../drivers/transport.ts"
import {
  ConnectionError,
  EdgeAlchemyError,
  InvalidRequestError,
  UnknownOutcomeError,
  UnsupportedCapabilityError,
} from "../errors.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import type { CoreRowOf, Statement } from "../sql/statement.ts"
import { maskUrl } from "./echo.ts"
import type { Engine } from "./engine.ts"
import { Result } from "./result.ts"
import { decodeRow, readsDates, slotsOf } from "./row-shape.ts"

export class Connection {
  #transport: Transport | undefined
  #closed = false
  /** Open savepoints, innermost last. */
  readonly #savepoints: Savepoint[] = []
  /** Savepoints a failing statement rolled back, until rolled back by the application; with their depth. */
  readonly #failed = new Map<Savepoint, number>()
  #savepointCounter = 0
  /** Set while a read-only transaction is open on a transport that would not refuse writes itself. */
  #refuseWrites = false
  /** Whether an interactive transaction began here and its end has not been told yet. */
  #transactionOpen = false
  /** A BEGIN under way: two callers that each need a transaction share it (./read-session.ts). */
  #opening: Promise<void> | undefined
  /**
   * Told once when an interactive transaction ends, however it ends (commit, rollback, a failure that
   * ended it, a lost connection, close): `committed` is true only for a COMMIT that succeeded. A
   * session uses it to undo on its objects what a transaction that did not commit had flushed.
   */
  onTransactionEnd: ((committed: boolean) => void) | undefined

  constructor(readonly engine: Engine) {}

  get dialect(): Dialect {
    return this.engine.dialect
  }

  get inTransaction(): boolean {
    return this.#transport?.inTransaction ?? false
  }

  get capabilities(): Transport["capabilities"] {
    return this.#openTransport.capabilities
  }

  /** Runs a statement; `params` are for `text()` statements, which carry none of their own. */
  async execute<S extends Statement>(
    statement: S,
    params: readonly unknown[] = [],
  ): Promise<Result<CoreRowOf<S>>> {
    const query = this.#compile(statement, params)
    const commits = !this.inTransaction && !reads(statement, query)
    const result = await this.#run(
      query,
      () => {
        this.#refuseWriteIfReadOnly(statement, query)
        return this.#openTransport.execute(query)
      },
      { commits },
    )
    return this.#result(statement, result)
  }

  /**
   * All statements in one atomic request (on HTTP transports: one round trip); results in order.
   * `options` set the batch's transaction (isolation, read-only) when it is not inside an open one.
   */
  async batch(
    statements: readonly Statement[],
    options: TransactionOptions = {},
  ): Promise<Result<unknown[]>[]> {
    if (statements.length === 0) return []
    const queries = statements.map((statement) => this.#compile(statement, []))
    const commits = !this.inTransaction && !statements.every((s, i) => reads(s, queries[i] as Query))
    const results = await this.#run(
      queries,
      () => {
        for (const [i, statement] of statements.entries())
          this.#refuseWriteIfReadOnly(statement, queries[i] as Query)
        return this.#openTransport.batch(queries, options)
      },
      { commits },
    )
    return results.map((result, i) => this.#result(statements[i] as Statement, result))
  }

  /** Opens an interactive transaction (Neon: the WebSocket client; libSQL: a baton stream). */
  async begin(options: TransactionOptions = {}): Promise<void> {
    const transport = this.#openTransport
    if (!transport.capabilities.interactiveTransactions) {
      throw new UnsupportedCapabilityError(
        `The ${this.engine.driver.name} transport has no interactive transactions`,
      )
    }
    if (transport.inTransaction || this.#opening)
      throw new InvalidRequestError("A transaction is already open; commit or roll it back first")
    const opening = this.#run({ sql: "BEGIN", params: [] }, () => transport.begin(options))
    this.#opening = opening
    try {
      await opening
    } finally {
      this.#opening = undefined
    }
    this.#transactionOpen = true
    // Refused here on every transport, with one message: PostgreSQL would refuse them too, but a
    // flush's INSERT, sent inside a SELECT, as "cannot execute SELECT in a read-only transaction".
    this.#refuseWrites = options.readOnly === true
  }

  /**
   * Inside a transaction: the open one, the one being opened, or a new one. What a caller that needs
   * one uses (a FOR UPDATE read, a flush): two such calls at once must not each open a transaction, of
   * which one would be lost with its locks.
   */
  async ensureTransaction(): Promise<void> {
    if (this.#opening) await this.#opening
    else if (!this.inTransaction) await this.begin()
  }

  /** A savepoint inside the transaction (opening one first if needed): `commit()` releases it. */
  async beginNested(): Promise<Savepoint> {
    if (!this.#openTransport.capabilities.savepoints) {
      throw new UnsupportedCapabilityError(`The ${this.engine.driver.name} transport has no savepoints`)
    }
    await this.ensureTransaction()
    const savepoint = new Savepoint(this, `sp_${++this.#savepointCounter}`)
    await this.#statement(`SAVEPOINT ${savepoint.name}`)
    this.#savepoints.push(savepoint)
    return savepoint
  }

  async commit(): Promise<void> {
    const transport = this.#requireTransaction("commit")
    this.#endTransaction()
    try {
      await this.#run({ sql: "COMMIT", params: [] }, () => transport.commit(), {
        recover: false,
        commits: true,
      })
    } catch (error) {
      this.#transactionEnded(false)
      throw error
    }
    this.#transactionEnded(true)
  }

  async rollback(): Promise<void> {
    const transport = this.#requireTransaction("roll back")
    this.#endTransaction()
    try {
      await this.#run({ sql: "ROLLBACK", params: [] }, () => transport.rollback(), { recover: false })
    } finally {
      this.#transactionEnded(false)
    }
  }

  /**
   * Undoes the work of a transaction that failed outside the database (a flush listener threw) as a
   * failed statement's is undone: back to the innermost savepoint, or the transaction rolled back.
   */
  async rollbackFailedWork(): Promise<void> {
    if (!this.inTransaction) return
    await this.#recover()
    if (!this.inTransaction) this.#transactionEnded(false)
  }

  /** Rolls back what is open and releases the connection; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#closeSavepoints(0)
    try {
      await this.#transport?.close()
    } finally {
      this.#transactionEnded(false)
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /**
   * Releases (commit) or rolls back to (rollback) a savepoint; used by Savepoint. Rolling back one that
   * is no longer active does nothing, as in SQLAlchemy: error handlers may always roll back.
   */
  async endSavepoint(savepoint: Savepoint, outcome: "release" | "rollback"): Promise<void> {
    if (savepoint.state !== "active") {
      if (outcome === "release") {
        throw new InvalidRequestError(
          `Savepoint ${savepoint.name} is no longer active (${savepoint.state}); roll it back and go on, or begin a new one`,
        )
      }
      if (this.#failed.delete(savepoint)) savepoint.state = "rolled back"
      return
    }
    this.#closeSavepoints(this.#savepoints.indexOf(savepoint))
    savepoint.state = outcome === "release" ? "released" : "rolled back"
    await this.#statement(`${outcome === "release" ? "RELEASE" : "ROLLBACK TO"} SAVEPOINT ${savepoint.name}`)
  }

  /** Ends the savepoints from `depth` inward: with an enclosing savepoint or the transaction. */
  #closeSavepoints(depth: number): void {
    for (const savepoint of this.#savepoints.splice(depth)) savepoint.state = "closed"
    for (const [savepoint, at] of this.#failed) {
      if (at < depth) continue
      savepoint.state = "closed"
      this.#failed.delete(savepoint)
    }
  }

  #endTransaction(): void {
    this.#closeSavepoints(0)
    this.#refuseWrites = false
  }

  #transactionEnded(committed: boolean): void {
    if (!this.#transactionOpen) return
    this.#transactionOpen = false
    this.onTransactionEnd?.(committed)
  }

  #refuseWriteIfReadOnly(statement: Statement, query: Query): void {
    if (!this.#refuseWrites || !this.inTransaction) return
    if (writes(statement, query)) {
      throw new InvalidRequestError("This transaction is read-only; begin() without readOnly to write")
    }
  }

  /** The transport, opened on first use. */
  get #openTransport(): Transport {
    if (this.#closed) throw new InvalidRequestError("This connection is closed; open a new one")
    if (!this.#transport) {
      const { engine } = this
      this.#transport = engine.driver.open(engine.url, engine)
      if (engine.listens("connect"))
        engine.emit("connect", { url: maskUrl(engine.url), driver: engine.driver.name })
    }
    return this.#transport
  }

  async #statement(sql: string): Promise<void> {
    const query = { sql, params: [] }
    await this.#run(query, () => this.#openTransport.execute(query))
  }

  #compile(statement: Statement, params: readonly unknown[]): Query {
    if (params.length > 0 && statement.kind !== "text") {
      throw new InvalidRequestError("Only text() statements take params; others carry their values")
    }
    const { dialect } = this.engine
    let query: Query = statement.compile(dialect)
    if (params.length > 0) query = { sql: query.sql, params }
    if (readsDates(statement)) query = { ...query, datesAsText: true }
    // Refused before sending: SQLite would refuse them too, but PostgreSQL's protocol counts them in 16
    // bits, and 65,536 and more fail as a broken connection, which a retry only repeats.
    const most = dialect.name === "postgresql" ? 65_535 : 32_766
    if (query.params.length > most) {
      throw new InvalidRequestError(
        `${query.params.length} parameters; ${dialect.name} takes ${most} a statement`,
      )
    }
    return query
  }

  #result(
    statement: Statement,
    raw: { columns: readonly string[]; rows: readonly (readonly unknown[])[]; rowsAffected: number },
  ) {
    const slots = slotsOf(statement)
    const rows = raw.rows.map((row) => decodeRow(row, slots, this.engine.dialect))
    return new Result(rows as never[], raw.columns, raw.rowsAffected, statement)
  }

  #requireTransaction(action: string): Transport {
    const transport = this.#openTransport
    if (!transport.inTransaction) throw new InvalidRequestError(`No transaction is open to ${action}`)
    return transport
  }

  /**
   * Sends a request, reports its statements, and turns a driver error into ours. A failure inside a
   * transaction rolls back to the innermost savepoint, or ends the transaction when there is none.
   * `commits`: the request commits (a write outside a transaction, or COMMIT), so a connection that
   * fails after sending it leaves its outcome unknown.
   */
  async #run<T>(
    queries: Query | readonly Query[],
    send: () => Promise<T>,
    { recover = true, commits = false } = {},
  ): Promise<T> {
    // Timed only when statement events are heard: most requests are not, and a read is microseconds.
    const started = this.engine.listens("statement") ? performance.now() : undefined
    try {
      const result = await send()
      if (started !== undefined) this.#report(queries, started)
      return result
    } catch (error) {
      if (started !== undefined) this.#report(queries, started, error)
      const list = Array.isArray(queries) ? (queries as readonly Query[]) : [queries as Query]
      const failed = list.length === 1 ? list[0] : failedStatement(error, list)
      const translated =
        error instanceof EdgeAlchemyError ? error : this.engine.driver.translateError(error, failed)
      if (recover) await this.#recover()
      // The failure ended the transaction (no savepoint to roll back to, or the connection is gone).
      if (!this.inTransaction) this.#transactionEnded(false)
      throw commits ? outcomeOf(translated, error) : translated
    }
  }

  async #recover(): Promise<void> {
    const transport = this.#transport
    if (!transport?.inTransaction) return
    const savepoint = this.#savepoints.at(-1)
    if (!savepoint) this.#endTransaction()
    try {
      if (savepoint) {
        await this.endSavepoint(savepoint, "rollback")
        // The enclosing transaction goes on; the application's own rollback of it will do nothing.
        savepoint.state = "failed"
        this.#failed.set(savepoint, this.#savepoints.length)
      } else await transport.rollback()
    } catch {
      // The transaction is gone either way; the original error is the one worth reporting.
      this.#endTransaction()
      if (transport.inTransaction) await transport.rollback().catch(() => undefined)
    }
  }

  #report(queries: Query | readonly Query[], started: number, error?: unknown): void {
    const durationMs = performance.now() - started
    for (const query of Array.isArray(queries) ? (queries as readonly Query[]) : [queries as Query]) {
      this.engine.emit("statement", {
        sql: query.sql,
        params: query.params,
        durationMs,
        ...(error ? { error } : {}),
      })
    }
  }
}

const WRITE_KINDS = new Set([
  "insert",
  "update",
  "delete",
  "create_table",
  "create_index",
  "add_foreign_key",
  "drop_table",
  "drop_index",
])
/** A write anywhere in hand-written SQL (after a comment, in a CTE: `WITH v AS (...) INSERT ...`). */
const WRITE_SQL = /\b(insert|update|delete|replace|create|drop|alter)\b/i

/**
 * Where a savepoint is in its life: "failed" when a statement inside it failed, which rolled it back
 * (the enclosing transaction goes on); "closed" when it ended with an enclosing savepoint or the
 * transaction.
 */
export type SavepointState = "active" | "failed" | "released" | "rolled back" | "closed"

function writes(statement: Statement, query: Query): boolean {
  return WRITE_KINDS.has(statement.kind) || (statement.kind === "text" && WRITE_SQL.test(query.sql))
}

/** Certainly reads only; anything else (a flush's `WITH ... INSERT` included) may write. */
function reads(statement: Statement, query: Query): boolean {
  if (statement.kind === "text") return /^\s*SELECT\b/i.test(query.sql)
  return statement.kind === "select" || statement.kind === "compound_select"
}

/** A connection failure after a commit was sent: its outcome is unknown, unless it certainly came first. */
function outcomeOf(translated: EdgeAlchemyError, raw: unknown): EdgeAlchemyError {
  if (!(translated instanceof ConnectionError) || translated instanceof UnknownOutcomeError) return translated
  if (!mayHaveApplied(raw)) return translated
  const { sql, params } = translated
  return new UnknownOutcomeError(
    `The commit was sent but its answer lost (${translated.message}): it may have been applied; check before retrying`,
    { cause: translated, sql, params },
  )
}

export class Savepoint {
  readonly #connection: Connection
  /** Kept by the connection. */
  state: SavepointState = "active"

  constructor(
    connection: Connection,
    readonly name: string,
  ) {
    this.#connection = connection
  }

  /** RELEASE SAVEPOINT: its work joins the enclosing transaction. Refused once it is not active. */
  commit(): Promise<void> {
    return this.#connection.endSavepoint(this, "release")
  }

  /**
   * ROLLBACK TO SAVEPOINT: undoes its work; the enclosing transaction goes on. Once it is not active
   * (a failed statement rolled it back already, or it ended) this does nothing, so an error handler
   * can always call it.
   */
  rollback(): Promise<void> {
    return this.#connection.endSavepoint(this, "rollback")
  }
}

/** The statement of a batch that failed, when the driver says which (libSQL's `statementIndex`). */
function failedStatement(error: unknown, queries: readonly Query[]): Query | undefined {
  const index = (error as { statementIndex?: unknown } | null | undefined)?.statementIndex
  return typeof index === "number" ? queries[index] : undefined
}
