// A connection: statements, atomic batches and interactive transactions over one transport (savepoints:
// ./savepoints.ts). Driver errors become ours here, exactly once, with their SQL and parameters. A statement
// that fails inside a transaction rolls it back at once (to the innermost savepoint if there is one):
// over libSQL HTTP a transaction SQLite already ended would otherwise go on in autocommit. A connection
// that fails after a commit was sent (an atomic batch, an autocommitted write, a COMMIT) raises
// UnknownOutcomeError: the commit may have been applied, and a blind retry could apply it twice.
import { mayHaveApplied } from "../drivers/outcome.ts"
import type { Query, TransactionOptions, Transport } from "../drivers/transport.ts"
import {
  CommittedButUnreadableError,
  ConnectionError,
  EdgeAlchemyError,
  InvalidRequestError,
  UnknownOutcomeError,
  UnsupportedCapabilityError,
} from "../errors.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import type { CoreRowOf, Statement } from "../sql/statement.ts"
import type { TextStatement } from "../sql/text.ts"
import { maskUrl } from "./echo.ts"
import type { Engine } from "./engine.ts"
import { Result } from "./result.ts"
import { decodeRow, slotsOf } from "./row-shape.ts"
import type { SavepointStack } from "./savepoints.ts"

/** A model, a table or a column, given where a statement is due. */
type Named = { name?: string }

export class Connection {
  #transport: Transport | undefined
  #closed = false
  /**
   * Its savepoints, once `beginNested(connection)` opened one: kept in ./savepoints.ts, so that a worker
   * that never nests carries none of their code.
   */
  declare savepoints: SavepointStack | undefined
  /** Set while a read-only transaction is open on a transport that would not refuse writes itself. */
  #refuseWrites = false
  /** Whether an interactive transaction began here and its end has not been told yet. */
  #transactionOpen = false
  /** A BEGIN under way: two callers that each need a transaction share it (./read-session.ts). */
  #opening: Promise<void> | undefined
  /**
   * Statements of the open transaction still under way (a Promise.all of them and commit()), for
   * commit() to wait on: only whether they settled, and each only until it has, so that a long
   * transaction keeps neither its results nor an entry for every statement it sent.
   */
  #sent = new Set<Promise<unknown>>()
  /**
   * Told once when an interactive transaction ends, however it ends (commit, rollback, a failure that
   * ended it, a lost connection, close): `committed` is true only for a COMMIT that succeeded. A
   * session uses it to undo on its objects what a transaction that did not commit had flushed.
   */
  declare onTransactionEnd: ((committed: boolean) => void) | undefined

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
    const commits = !this.inTransaction && !reads(statement)
    const sent = this.run(
      query,
      (transport) => {
        this.#refuseWriteIfReadOnly(statement)
        return transport.execute(query)
      },
      { commits },
    )
    return this.#result(statement, await this.#track(sent), commits && mayWrite(statement))
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
    const commits = !this.inTransaction && !statements.every(reads)
    const sent = this.run(
      queries,
      (transport) => {
        for (const statement of statements) this.#refuseWriteIfReadOnly(statement)
        return transport.batch(queries, options)
      },
      { commits },
    )
    const results = await this.#track(sent)
    const wrote = commits && statements.some(mayWrite)
    return results.map((result, i) => this.#result(statements[i] as Statement, result, wrote))
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
    const opening = this.run({ sql: "BEGIN", params: [] }, () => transport.begin(options))
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

  async commit(): Promise<void> {
    // Its statements still under way go first: one that fails ends the transaction (the commit then
    // finds none open), where COMMIT, sent behind it, would have committed nothing (PostgreSQL) or the
    // rest without it (SQLite), as a success.
    await this.settle()
    const transport = this.#requireTransaction("commit")
    this.#endTransaction()
    try {
      await this.run({ sql: "COMMIT", params: [] }, () => transport.commit(), {
        recover: false,
        commits: true,
      })
    } catch (error) {
      this.#transactionEnded(false)
      throw error
    }
    this.#transactionEnded(true)
  }

  /** Waits for the statements of the open transaction still under way (sent beside a COMMIT or RELEASE). */
  async settle(): Promise<void> {
    // Each leaves the set as it settles, not as one caller takes it: two callers at once (a savepoint's
    // rollback() and commit()) both wait.
    while (this.#sent.size) await Promise.all(this.#sent)
  }

  /** A statement sent: inside a transaction, counted until it settles; its answer, as savepoints pass it on. */
  #track<T>(sent: Promise<T>): Promise<T> {
    if (!this.inTransaction) return sent
    const settled: Promise<unknown> = sent.catch(() => undefined).then(() => this.#sent.delete(settled))
    this.#sent.add(settled)
    return this.savepoints?.settled(sent) ?? sent
  }

  async rollback(): Promise<void> {
    const transport = this.#requireTransaction("roll back")
    this.#endTransaction()
    try {
      await this.run({ sql: "ROLLBACK", params: [] }, () => transport.rollback(), { recover: false })
    } finally {
      this.#transactionEnded(false)
    }
  }

  /** Rolls back what is open and releases the connection; safe to call twice. `deadline`: the transport's. */
  async close(deadline?: number): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.savepoints?.closeFrom(0)
    try {
      await this.#transport?.close(deadline)
    } finally {
      this.#transactionEnded(false)
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  #endTransaction(): void {
    this.#sent = new Set()
    this.savepoints?.closeFrom(0)
    this.#refuseWrites = false
  }

  #transactionEnded(committed: boolean): void {
    if (!this.#transactionOpen) return
    this.#transactionOpen = false
    this.onTransactionEnd?.(committed)
  }

  #refuseWriteIfReadOnly(statement: Statement): void {
    if (!this.#refuseWrites || !this.inTransaction) return
    if (mayWrite(statement)) {
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

  #compile(statement: Statement, params: readonly unknown[]): Query {
    // Every statement passes here (engines, connections, sessions): SQL as a string, as other libraries
    // take it, or a model, as a newcomer asks for its rows (engine.execute(User)), would fail as
    // "statement.compile is not a function". SQLAlchemy 2.0 refuses both too. A model, a table or a
    // column is named by its name; the words are few, as every read worker carries them.
    // Anything else unnamed (undefined, a plain object, a promise not awaited) says what it is.
    if (!statement?.compile) {
      const name = (statement as Named | undefined)?.name
      throw new InvalidRequestError(
        typeof statement === "string"
          ? `A string is not a statement: pass text(${JSON.stringify(statement)})`
          : name
            ? `${name} is not a statement: pass select(${name})`
            : `${statement} is not a statement: pass select(...) or text("SQL")`,
      )
    }
    if (params.length > 0 && statement.kind !== "text") {
      throw new InvalidRequestError("Only text() takes params; other statements carry their values")
    }
    const { dialect } = this.engine
    let query: Query = statement.compile(dialect)
    if (params.length > 0) query = { sql: query.sql, params }
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

  /**
   * The rows decoded. A value the statement's types cannot read (a server default or trigger wrote
   * 'infinity' into a DateTime, an id past 2^53 into an Integer) fails here, after the database answered:
   * for a request that `wrote` (a write committed with it: not raw SQL that only reads, which `commits`
   * does not tell from a write), after it committed, so that failure says the write was applied, where
   * its DataError would be taken for bad input that wrote nothing, and retried.
   */
  #result(
    statement: Statement,
    raw: { columns: readonly string[]; rows: readonly (readonly unknown[])[]; rowsAffected: number },
    wrote: boolean,
  ) {
    const slots = slotsOf(statement)
    try {
      const rows = raw.rows.map((row) => decodeRow(row, slots, this.engine.dialect))
      return new Result(rows as never[], raw.columns, raw.rowsAffected, statement)
    } catch (error) {
      throw wrote
        ? new CommittedButUnreadableError(
            `The commit was applied but its answer could not be read (${(error as Error).message}): do not retry it`,
            { cause: error },
          )
        : error
    }
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
   * fails after sending it leaves its outcome unknown. `send` is given the transport, opened if need be.
   * Also how ./savepoints.ts sends SAVEPOINT and the like, which text() refuses.
   */
  async run<T>(
    queries: Query | readonly Query[],
    send: (transport: Transport) => Promise<T>,
    { recover = true, commits = false } = {},
  ): Promise<T> {
    // Timed only when statement events are heard: most requests are not, and a read is microseconds.
    const started = this.engine.listens("statement") ? performance.now() : undefined
    try {
      const result = await send(this.#openTransport)
      if (started !== undefined) this.#report(queries, started, commits)
      return result
    } catch (error) {
      if (started !== undefined) this.#report(queries, started, commits, error)
      const list = Array.isArray(queries) ? (queries as readonly Query[]) : [queries as Query]
      const failed = list.length === 1 ? list[0] : failedStatement(error, list)
      const translated =
        error instanceof EdgeAlchemyError ? error : this.engine.driver.translateError(error, failed)
      if (recover) await this.#recover(translated)
      // The failure ended the transaction (no savepoint to roll back to, or the connection is gone).
      if (!this.inTransaction) this.#transactionEnded(false)
      throw commits ? outcomeOf(translated, error) : translated
    }
  }

  /**
   * Undoes what `failure` (none: work that failed outside the database) was part of: back to the
   * innermost savepoint, which keeps it as the cause of what it undid, or the whole transaction.
   */
  async #recover(failure?: unknown): Promise<void> {
    const transport = this.#transport
    if (!transport?.inTransaction) return
    try {
      if (await this.savepoints?.recover(failure)) return
      this.#endTransaction()
      // Told before the ROLLBACK's answer: a statement sent beside the failed one (a Promise.all) may be
      // answered first, and must find the transaction over (SQLite ran it, and rolls it back now).
      this.#transactionEnded(false)
      await transport.rollback()
    } catch {
      // The transaction is gone either way; the original error is the one worth reporting.
      this.#endTransaction()
      if (transport.inTransaction) await transport.rollback().catch(() => undefined)
    }
  }

  #report(queries: Query | readonly Query[], started: number, commits: boolean, error?: unknown): void {
    const durationMs = performance.now() - started
    for (const query of Array.isArray(queries) ? (queries as readonly Query[]) : [queries as Query]) {
      this.engine.emit("statement", {
        sql: query.sql,
        params: query.params,
        durationMs,
        commits,
        ...(error ? { error } : {}),
      })
    }
  }
}

/**
 * Whether a statement may write: hand-written SQL by its text (../sql/text.ts, so that a worker that
 * writes none carries none of the rule); any other statement but a select (DML and DDL) writes.
 */
export function mayWrite(statement: Statement): boolean {
  return statement.kind === "text" ? (statement as unknown as TextStatement).mayWrite() : !isSelect(statement)
}

/**
 * Certainly reads only; anything else (a flush's `WITH ... INSERT` included) may write, and a lost answer
 * to it is an unknown outcome, not a failure to retry. Hand-written SQL by its text (../sql/text.ts).
 */
export function reads(statement: Statement): boolean {
  return statement.kind === "text" ? (statement as unknown as TextStatement).readsOnly() : isSelect(statement)
}

function isSelect(statement: Statement): boolean {
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

/** The statement of a batch that failed, when the driver says which (libSQL's `statementIndex`). */
function failedStatement(error: unknown, queries: readonly Query[]): Query | undefined {
  const index = (error as { statementIndex?: unknown } | null | undefined)?.statementIndex
  return typeof index === "number" ? queries[index] : undefined
}
