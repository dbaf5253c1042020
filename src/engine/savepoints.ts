// Savepoints: `beginNested(connection)` opens one inside the connection's transaction (opening that first
// if needed). They live apart from Connection, which calls back here only once a savepoint was opened,
// so that a worker that never nests carries none of this code (~300 B gzipped, `npm run bench:size`).
import { InvalidRequestError, PendingRollbackError, UnsupportedCapabilityError } from "../errors.ts"
import type { Connection } from "./connection.ts"

/**
 * Where a savepoint is in its life: "failed" when a statement inside it failed, which rolled it back
 * (the enclosing transaction goes on); "closed" when it ended with an enclosing savepoint or the
 * transaction.
 */
export type SavepointState = "active" | "failed" | "released" | "rolled back" | "closed"

/**
 * A savepoint inside the connection's interactive transaction, opened first if needed (SQLAlchemy's
 * `connection.begin_nested()`): `commit()` releases it, `rollback()` undoes its work.
 */
export async function beginNested(connection: Connection): Promise<Savepoint> {
  if (!connection.capabilities.savepoints) {
    throw new UnsupportedCapabilityError(`The ${connection.engine.driver.name} transport has no savepoints`)
  }
  await connection.ensureTransaction()
  connection.savepoints ??= new SavepointStack(connection)
  return connection.savepoints.open()
}

/**
 * Undoes the work of a transaction that failed outside the database (a flush listener threw) as a failed
 * statement's is undone: back to the innermost savepoint, or the transaction rolled back (also when
 * ROLLBACK TO fails). Here rather than on Connection, whose methods every worker carries.
 */
export async function rollbackFailedWork(connection: Connection): Promise<void> {
  if (!connection.inTransaction) return
  try {
    if (await connection.savepoints?.recover(undefined)) return
  } catch {
    // The transaction is rolled back below.
  }
  await connection.rollback()
}

export class Savepoint {
  /** Kept by its connection's SavepointStack. */
  state: SavepointState = "active"
  /**
   * Told once a failed statement's rollback to this savepoint has undone its work (the enclosing
   * transaction goes on): a session puts its objects back as they were when the savepoint began.
   */
  declare onUndone: (() => void) | undefined
  readonly #stack: SavepointStack

  constructor(
    readonly name: string,
    stack: SavepointStack,
  ) {
    this.#stack = stack
  }

  /** RELEASE SAVEPOINT: its work joins the enclosing transaction. Refused once it is not active. */
  commit(): Promise<void> {
    return this.#stack.end(this, "release")
  }

  /**
   * ROLLBACK TO SAVEPOINT: undoes its work; the enclosing transaction goes on. Once it is not active
   * (a failed statement rolled it back already, or it ended) this does nothing, so an error handler
   * can always call it.
   */
  rollback(): Promise<void> {
    return this.#stack.end(this, "rollback")
  }
}

/** A connection's savepoints: what is open, innermost last, and what a failed statement rolled back. */
export class SavepointStack {
  readonly #connection: Connection
  readonly #open: Savepoint[] = []
  /** Savepoints a failing statement rolled back, until rolled back by the application; with their depth. */
  readonly #failed = new Map<Savepoint, number>()
  /** Every savepoint a failing statement rolled back, for good, with that statement's error. */
  readonly #undoneBy = new WeakMap<Savepoint, unknown>()
  /** Statements sent inside a savepoint that have not ended (a failure ends once its rollback has). */
  readonly #out = new Set<Promise<unknown>>()
  #counter = 0
  /**
   * A failed statement's rollback to a savepoint is out. A statement answered meanwhile was sent before
   * it, inside that savepoint (answers come in order), and that rollback covers it.
   */
  #recovering = false

  constructor(connection: Connection) {
    this.#connection = connection
  }

  async open(): Promise<Savepoint> {
    const savepoint = new Savepoint(`sp_${++this.#counter}`, this)
    await control(this.#connection, `SAVEPOINT ${savepoint.name}`)
    this.#open.push(savepoint)
    return savepoint
  }

  /**
   * Releases (commit) or rolls back to (rollback) a savepoint. Rolling back one that is no longer
   * active does nothing, as in SQLAlchemy: error handlers may always roll back.
   */
  async end(savepoint: Savepoint, outcome: "release" | "rollback", settle = true): Promise<void> {
    // A statement inside it still under way goes first (not for recover(), which runs inside one): one
    // that fails rolls it back (a release is then refused, a rollback does nothing), where RELEASE or
    // ROLLBACK TO, sent behind it, would end it and leave that failure the whole transaction to end.
    if (settle) await this.#connection.settle()
    if (savepoint.state !== "active") {
      if (outcome === "release") {
        throw new InvalidRequestError(
          `Savepoint ${savepoint.name} is no longer active (${savepoint.state}); roll it back and go on, or begin a new one`,
        )
      }
      if (this.#failed.delete(savepoint)) savepoint.state = "rolled back"
      return
    }
    this.closeFrom(this.#open.indexOf(savepoint))
    savepoint.state = outcome === "release" ? "released" : "rolled back"
    await control(
      this.#connection,
      `${outcome === "release" ? "RELEASE" : "ROLLBACK TO"} SAVEPOINT ${savepoint.name}`,
    )
  }

  /**
   * After a failed statement: rolls back to the innermost savepoint, and the enclosing transaction goes
   * on (the application's own rollback of the savepoint then does nothing). False when none is open.
   */
  async recover(failure: unknown): Promise<boolean> {
    // Sent beside the failure being rolled back (on PostgreSQL it failed because that one aborted the
    // transaction): rolling back further would end the savepoint's enclosing transaction too. (The
    // rollback's own failure comes here too, and is left to the recovery it belongs to.)
    if (this.#recovering) return true
    const savepoint = this.#open.at(-1)
    if (!savepoint) return false
    // Failed at once, not once its ROLLBACK TO is answered: a rollback() the application calls meanwhile
    // (an error handler of a statement beside) sees a savepoint whose work is undone, not one it ended.
    this.closeFrom(this.#open.length - 1)
    savepoint.state = "failed"
    this.#failed.set(savepoint, this.#open.length)
    this.#undoneBy.set(savepoint, failure)
    this.#recovering = true
    try {
      await control(this.#connection, `ROLLBACK TO SAVEPOINT ${savepoint.name}`)
    } finally {
      this.#recovering = false
    }
    savepoint.onUndone?.()
    return true
  }

  /**
   * The answer of a statement sent now, inside the transaction. With a savepoint open, it is passed on
   * once the statements out beside it inside savepoints have ended, and refused if one of them failed
   * and rolled back the savepoint it was sent in: its work is undone with the failure's, so it is not
   * reported done. Statements sent together inside a savepoint succeed or fail together, on both
   * databases: PostgreSQL refuses those sent after a failure (the transaction is aborted until the
   * rollback), SQLite ran them, and the rollback undid them, as it undid those answered before it.
   */
  settled<T>(answer: Promise<T>): Promise<T> {
    const savepoint = this.#open.at(-1)
    if (!savepoint) return answer
    const out = this.#out.add(answer)
    const undoneBy = this.#undoneBy
    const refusal = () =>
      new PendingRollbackError(
        `Savepoint ${savepoint.name} was rolled back while this statement was out, when work sent inside it beside this one failed (the cause): this statement's work is undone too. Roll the savepoint back, and go on`,
        { cause: undoneBy.get(savepoint) },
      )
    return answer.then(
      async (value) => {
        out.delete(answer)
        // A failure ends once its rollback to the savepoint has: the statements out beside this one end first.
        await Promise.allSettled(out)
        if (undoneBy.has(savepoint)) throw refusal()
        return value
      },
      (error: unknown) => {
        out.delete(answer)
        // The statement that failed keeps its error; one beside it (on PostgreSQL, 'current transaction
        // is aborted') is refused as one answered done is.
        throw undoneBy.has(savepoint) && undoneBy.get(savepoint) !== error ? refusal() : error
      },
    )
  }

  /** Ends the savepoints from `depth` inward, with an enclosing savepoint or the transaction (0: all). */
  closeFrom(depth: number): void {
    for (const savepoint of this.#open.splice(depth)) savepoint.state = "closed"
    for (const [savepoint, at] of this.#failed) {
      if (at < depth) continue
      savepoint.state = "closed"
      this.#failed.delete(savepoint)
    }
  }
}

/** Sends a transaction-control statement (`SAVEPOINT sp_1`), which text() refuses. */
async function control(connection: Connection, sql: string): Promise<void> {
  const query = { sql, params: [] }
  await connection.run(query, (transport) => transport.execute(query))
}
