// What both libSQL transports (./transport.ts over @libsql/client, ./hrana.ts over HTTP) know alike:
// what they can do, which statements only read, and what an infinite REAL in an answer means.
import { DataError } from "../../errors.ts"
import type { Capabilities, Query } from "../transport.ts"

export const CAPABILITIES: Capabilities = Object.freeze({
  interactiveTransactions: true,
  batch: true,
  savepoints: true,
  returning: true,
  // transaction("read") does not stop writes over HTTP (embedded, ./node.ts makes it refuse them).
  readOnlyTransactions: false,
})

/**
 * A plain SELECT, or one after a WITH naming no write (a compiled select with a CTE), which cannot
 * write in SQLite: a batch of them runs as a read transaction, which takes no write lock (BEGIN
 * IMMEDIATE would) and which Turso may answer from a replica. The words are the engine's (mayWrite's),
 * spelled alike, so that the bundle's gzip takes them once.
 */
export function isRead(query: Query): boolean {
  return /^\s*(select|with(?![\s\S]*\b(insert|update|delete|create|drop|alter|replace(?!\s*\())\b))\b/i.test(
    query.sql,
  )
}

/**
 * A read whose answer holds an infinite REAL (9e999, a sum past the largest double; SQLite stores no
 * NaN), in a transaction or not: sqld writes it as null, JSON having no Infinity, which the HTTP
 * transports refuse ('Expected number, received null', HRANA_PROTO_ERROR), and which was taken for a
 * lost connection (a 503 'retry shortly' that fails the same each time). The embedded client reads it
 * (Infinity), and PostgreSQL's float8 too. A write so answered ran: its error stays, and the engine
 * reports its outcome unknown.
 */
export function infiniteInAnswer(error: unknown, queries: readonly Query[]): unknown {
  const message = (error as Error | undefined)?.message
  return queries.every(isRead) && /number, received null/.test(message as string)
    ? new DataError(`${message}: an infinite number, which libSQL's HTTP cannot carry`, {
        cause: error,
        ...queries[0],
      })
    : error
}
