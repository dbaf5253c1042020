// One connection to the database file, run on a worker thread of its own (connection-worker.cjs). The
// server's thread never waits for SQLite: it sends an operation and is free until the answer comes, so
// one long statement never stops the server from answering other clients. Operations on a connection
// run one at a time, in the order sent.
import { Worker } from "node:worker_threads"
import { HranaError } from "./errors.ts"

const WORKER_FILE = new URL("./connection-worker.cjs", import.meta.url)
/** A statement that does nothing and returns no row. */
const NOTHING = "SELECT 0 WHERE 0"

/** What a connection can be asked to do; each answers with a result or an error. */
export type Operation =
  | {
      type: "run"
      sql: string
      /** null: prepare only (the arguments do not match; the server reports that once it prepared). */
      values: unknown[] | null
      wantRows: boolean
      isIud: boolean
      isInsert: boolean
      /** Transaction control without parameters runs through exec (see the worker). */
      viaExec: boolean
      /** The id of the attempt this one retries after SQLITE_BUSY: the worker reuses its statement. */
      retryOf: number | undefined
      maxResponseBytes: number
    }
  | { type: "describe"; sql: string }
  /** Prepares each statement, runs none: the first SQLite cannot parse, if any. */
  | { type: "parse"; sqls: string[] }
  | { type: "exec"; sql: string }
  | { type: "reset" }
  | { type: "close" }

/** An error raised on the connection's thread, with SQLite's codes when SQLite raised it. */
export class WorkerError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly rawCode: number | undefined,
    /** Where it failed: preparing the statement (SQLite's parse errors) or running it. */
    readonly phase: "prepare" | "run",
    /** A Hrana error code decided on the worker (RESPONSE_TOO_LARGE). */
    readonly hranaCode: string | undefined,
  ) {
    super(message)
  }
}

/** The connection's thread stopped answering (a step that could not be interrupted) or died. */
export class ConnectionLostError extends HranaError {
  constructor(detail: string) {
    super(`SQLite error: interrupted: the stream's connection was given up (${detail})`, "SQLITE_INTERRUPT")
  }
}

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

interface Reply {
  type: "reply"
  id: number
  ok: boolean
  result?: unknown
  error?: { message: string; code?: string; rawCode?: number; hranaCode?: string }
  phase?: "prepare" | "run"
  inTransaction: boolean
}

export interface StartedOperation<T> {
  id: number
  settled: Promise<T>
}

export class Connection {
  readonly #worker: Worker
  readonly #flag: Int32Array
  readonly #pending = new Map<number, Pending>()
  #nextId = 1
  #lost: string | undefined
  #inTransaction = false
  /**
   * Why SQLite rolled back the transaction under way when libsql-local interrupted a statement of it (its
   * time limit, a client gone): until the client ends it, its statements fail rather than run one by one
   * in autocommit, which would commit part of a transaction whose COMMIT then fails. Only then: a
   * statement that rolls back by itself (`INSERT OR ROLLBACK`, `RAISE(ROLLBACK)`, a full disk) leaves
   * the connection in autocommit, as SQLite does and sqld passes on (it runs each statement as it
   * comes), and as the official client's suite sees there (its Hrana 3 guards exist for it).
   */
  #rolledBack: string | undefined
  #closed: Promise<void> | undefined
  /** When the transaction under way took the write lock (write-lock.ts); cleared when it ends. */
  writeLockSince: number | undefined
  /** Another stream took the write lock from this transaction (write-lock.ts): its next statement
   *  fails with TRANSACTION_TIMEOUT. Cleared when the pool resets the connection. */
  writeLockTaken = false

  private constructor(worker: Worker, flag: Int32Array) {
    this.#worker = worker
    this.#flag = flag
    worker.on("message", (message: Reply) => this.#settle(message))
    worker.on("error", (error) => this.#loseAll(`its thread failed: ${error.message}`))
    worker.on("exit", () => this.#loseAll("its thread ended"))
  }

  /** Starts the connection's thread and opens the file on it. */
  static open(path: string): Promise<Connection> {
    const flag = new SharedArrayBuffer(4)
    // No execArgv: the worker is plain JavaScript, and one that inherits tsx's loader (`npm run
    // libsql-local`, `tsx` scripts) starts a loader of its own besides, twice as slow to open.
    const worker = new Worker(WORKER_FILE, { workerData: { path, flag }, execArgv: [] })
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        void worker.terminate()
        reject(error)
      }
      worker.once("error", failed)
      worker.once("message", (message: { type: string; error?: { message: string } }) => {
        worker.off("error", failed)
        if (message.type === "ready") resolve(new Connection(worker, new Int32Array(flag)))
        else failed(new Error(message.error?.message ?? "the connection could not open"))
      })
    })
  }

  /** As of the last operation's end (no operation can change it in between). */
  get inTransaction(): boolean {
    return this.#inTransaction
  }

  /** Given up: its thread is stuck in a step or died. Every operation fails. */
  get lost(): boolean {
    return this.#lost !== undefined
  }

  start<T>(operation: Operation): StartedOperation<T> {
    const id = this.#nextId++
    if (this.#lost !== undefined) {
      return { id, settled: Promise.reject(new ConnectionLostError(this.#lost)) }
    }
    if (operation.type === "reset") this.writeLockTaken = false
    if (this.#rolledBack !== undefined) {
      const refused = this.#refuses(operation)
      if (refused) return { id, settled: Promise.reject(refused) }
      // The client's ROLLBACK of what SQLite rolled back already: SQLite would say no transaction is
      // active, so a statement that does nothing answers it.
      if (operation.type === "run" || operation.type === "exec") operation = { ...operation, sql: NOTHING }
    }
    const settled = new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
    })
    this.#worker.postMessage({ ...operation, id })
    return { id, settled }
  }

  perform<T>(operation: Operation): Promise<T> {
    return this.start<T>(operation).settled
  }

  /** Interrupts operation `id` if it is still running: its statement fails with SQLITE_INTERRUPT. */
  interrupt(id: number): void {
    if (this.#lost !== undefined) return
    // The flag reaches a worker busy stepping rows; the message one waiting for its first row.
    Atomics.store(this.#flag, 0, id)
    this.#worker.postMessage({ type: "interrupt", id })
  }

  /** Gives the connection up at once: every operation fails, the thread is stopped (a thread stuck in a
   *  native step ends when the step returns; it holds neither the server nor the process). */
  abandon(reason: string): void {
    this.#loseAll(reason)
    this.#worker.unref()
    void this.#worker.terminate()
  }

  /** Rolls back an open transaction and closes; settles within `timeoutMs` whatever the thread does. */
  close(timeoutMs = 2_000): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#lost === undefined) {
        const closing = this.perform({ type: "close" }).catch(() => undefined)
        let timer: NodeJS.Timeout | undefined
        const late = new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs)
        })
        await Promise.race([closing, late])
        clearTimeout(timer)
      }
      this.abandon("it was closed")
    })()
    return this.#closed
  }

  /**
   * While a transaction SQLite rolled back is not ended by the client: the error for an operation, or
   * undefined for its ROLLBACK. A ROLLBACK or a (failing) COMMIT ends it, as does a reset for the pool.
   */
  #refuses(operation: Operation): Error | undefined {
    if (operation.type !== "run" && operation.type !== "exec") {
      if (operation.type !== "describe" && operation.type !== "parse") this.#rolledBack = undefined
      return undefined
    }
    const words = operation.sql.trim().toUpperCase()
    const ends = /^(ROLLBACK|END|COMMIT)\b/.test(words) && !/\bTO\b/.test(words)
    const why = this.#rolledBack
    if (ends) this.#rolledBack = undefined
    if (ends && words.startsWith("ROLLBACK")) return undefined
    return new WorkerError(
      `SQLite error: the transaction was rolled back when a statement of it failed (${why}); ${ends ? "nothing was committed" : "statements are refused until it is rolled back"}`,
      "SQLITE_ABORT",
      4,
      "run",
      undefined,
    )
  }

  #settle(message: Reply): void {
    if (message.type !== "reply") return
    const pending = this.#pending.get(message.id)
    if (!pending) return
    this.#pending.delete(message.id)
    if (!message.ok && this.#inTransaction && !message.inTransaction && interrupted(message.error)) {
      this.#rolledBack = message.error?.message ?? "unknown error"
    }
    this.#inTransaction = message.inTransaction
    if (!message.inTransaction) this.writeLockSince = undefined
    if (message.ok) pending.resolve(message.result)
    else {
      const error = message.error ?? { message: "unknown error" }
      pending.reject(
        new WorkerError(error.message, error.code, error.rawCode, message.phase ?? "run", error.hranaCode),
      )
    }
  }

  #loseAll(reason: string): void {
    this.#lost ??= reason
    this.#inTransaction = false
    this.writeLockSince = undefined
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id)
      pending.reject(new ConnectionLostError(reason))
    }
  }
}

/** SQLITE_INTERRUPT: the statement was stopped by libsql-local, not by what it ran into. */
function interrupted(error: Reply["error"]): boolean {
  return error?.code === "SQLITE_INTERRUPT" || ((error?.rawCode ?? 0) & 0xff) === 9
}
