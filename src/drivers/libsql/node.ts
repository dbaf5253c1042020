// Embedded libSQL (`file:` and `:memory:`) with the native `@libsql/client`: Node only, behind its
// own entry point so that no Workers bundle carries it.
import {
  type Client,
  type Config,
  createClient,
  type InStatement,
  type ResultSet,
  type Transaction,
  type TransactionMode,
} from "@libsql/client"
import { cached } from "../../util/cached.ts"
import type { Driver } from "../transport.ts"
import { type LibsqlOptions, libsqlDriverOf } from "./driver.ts"
import { translateLibsqlError } from "./errors.ts"
import { LibsqlTransport } from "./transport.ts"

const MEMORY = /^(:memory:|file::memory:)/i
const EMBEDDED = /^(file:|:memory:)/i

export function libsqlEmbedded(options: LibsqlOptions = {}): Driver {
  // A `:memory:` database lives and dies with its client: every connection of the engine shares one,
  // which closing a connection leaves open.
  const memory = new Map<string, Client>()
  const clientOf = (config: Config) =>
    MEMORY.test(config.url)
      ? cached(memory, config.url, () => Object.assign(embeddedClient(config), { close() {} }))
      : embeddedClient(config)
  return {
    ...libsqlDriverOf(
      options,
      (url, roundTrips) =>
        new LibsqlTransport(
          { url, createClient: clientOf, closeTimeoutMs: options.closeTimeoutMs },
          roundTrips,
        ),
      translateLibsqlError,
    ),
    name: "libsql (embedded)",
    accepts: (url) => EMBEDDED.test(url),
  }
}

/**
 * The embedded client, committing through `exec`. Its own COMMIT is a prepared statement, and one that
 * fails (a deferred foreign key) is never reset: it keeps the file locked for every other connection
 * and process ("database is locked" on their next write) until it happens to be garbage-collected.
 * `exec` finalizes its statement whatever happens; the transaction it leaves open is rolled back when
 * the transaction is closed, as after any failed commit.
 */
function embeddedClient(config: Config): Client {
  const client = createClient(config)
  const open = client.transaction.bind(client)
  // A write statement that found the file busy (another connection holds the write lock) is left by
  // SQLite ready to be stepped again, in progress on its native connection, and the client, which has
  // dropped it, never resets it: from then on that connection commits nothing in autocommit (SQLite
  // commits when the last writing statement ends), so its next writes were reported done while they
  // sat in a transaction no one commits, holding the write lock from every other connection, until the
  // statement was garbage-collected and they were rolled back. Closing the connection does not help
  // (the statement keeps it open). So a statement that finds the file busy ends this client's
  // transactions (rolled back, which lets go of their locks) and puts its connections out of use: the
  // client opens new ones. A `:memory:` database would go with them, and cannot be busy.
  const memory = MEMORY.test(config.url)
  const transactions = new Set<Transaction>()
  const dropConnections = async (error: unknown): Promise<never> => {
    if ((error as { code?: unknown } | null)?.code === "SQLITE_BUSY" && !memory) {
      for (const opened of transactions) await opened.rollback().catch(() => undefined)
      if (!client.closed) client.reconnect()
    }
    throw error
  }
  const droppingOnBusy =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      call(...args).catch(dropConnections)
  // A BEGIN IMMEDIATE that fails (SQLITE_BUSY: another connection is writing) is a prepared statement
  // the client never resets either: its connection goes back to the client's pool with it in progress,
  // and the next transaction there cannot commit ("SQL statements in progress") nor let go of the lock
  // until it is garbage-collected, so a writer retrying while busy (a second migration runner) waited
  // seconds, at random. A write transaction begins deferred (which takes no lock, so cannot fail) and
  // takes the write lock through `exec`, which finalizes its statement whatever happens.
  //
  // A read transaction refuses writes (query_only): one that found the file busy would stay in progress
  // as above, and keep the read lock its transaction took past the rollback, and past close(), until
  // garbage-collected: no other connection could commit meanwhile. (SQLite refuses a write under
  // query_only before it asks for a lock.) Its connection is made writable again before it goes back
  // to the pool; if the transaction ended by itself first, through the client (`:memory:`: its one
  // connection) or by putting the client's connections out of use.
  const transaction = async (mode: TransactionMode = "write") => {
    const opened = await open(mode === "write" ? "deferred" : mode)
    const readOnly = mode === "read"
    try {
      if (mode === "write") await opened.executeMultiple("ROLLBACK; BEGIN IMMEDIATE")
      if (readOnly) await opened.executeMultiple("PRAGMA query_only = 1")
    } catch (error) {
      opened.close()
      throw error
    }
    const [execute, batch, rollback, close] = [opened.execute, opened.batch, opened.rollback, opened.close]
    transactions.add(opened)
    /** Called as the transaction ends: whether its connection is fit for the pool. */
    const ending = () => {
      transactions.delete(opened)
      if (!readOnly) return true
      if (opened.closed) return false
      // Synchronous underneath (the client's exec), as close() must be.
      opened.executeMultiple("PRAGMA query_only = 0").catch(() => undefined)
      return true
    }
    const dropUnless = (fit: boolean) => {
      if (fit || client.closed) return
      if (memory) client.executeMultiple("PRAGMA query_only = 0").catch(() => undefined)
      else client.reconnect()
    }
    return Object.assign(opened, {
      execute: droppingOnBusy(execute.bind(opened)),
      batch: droppingOnBusy(batch.bind(opened)),
      commit: () => opened.executeMultiple(readOnly ? "PRAGMA query_only = 0; COMMIT" : "COMMIT"),
      rollback: async () => {
        const fit = ending()
        await rollback.call(opened)
        dropUnless(fit)
      },
      close: () => {
        const fit = ending()
        close.call(opened)
        dropUnless(fit)
      },
    })
  }
  // A batch is a transaction of its own, committed the same way. The client's own batch ran from BEGIN
  // to COMMIT with no await; a transaction holds its connection across awaits, and the client refuses
  // (does not queue) a statement or transaction while transactions hold its every connection (a
  // `:memory:` client has one): its calls go one after another, as they went with that batch.
  let last: Promise<unknown> = Promise.resolve()
  const inTurn =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const turn = last.then(() => call(...args))
      last = turn.catch(() => undefined)
      return turn
    }
  const execute = client.execute.bind(client) as (statement: InStatement) => Promise<ResultSet>
  // The client's methods read its private fields: it is changed in place, not wrapped.
  return Object.assign(client, {
    execute: inTurn(droppingOnBusy(execute)),
    transaction: inTurn(transaction),
    batch: inTurn(async (statements: InStatement[], mode: TransactionMode = "deferred") => {
      const opened = await transaction(mode)
      try {
        const results = await opened.batch(statements)
        await opened.commit()
        return results
      } finally {
        opened.close()
      }
    }),
  })
}
