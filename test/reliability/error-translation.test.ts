// How driver errors are classified, for the wordings no local endpoint can produce on demand: the
// connection losses of each runtime, and the SQLSTATE and SQLite codes of data errors. (The data
// errors the real databases raise are in data-errors.test.ts.)
import { once } from "node:events"
import { type AddressInfo, createServer } from "node:net"
import { describe, expect, it } from "vitest"
import ws from "ws"
import { translateLibsqlError } from "../../src/drivers/libsql/errors.ts"
import { translateNeonError } from "../../src/drivers/neon/errors.ts"
import {
  ConnectionError,
  createEngine,
  DataError,
  IntegrityError,
  ProgrammingError,
} from "../../src/index.ts"
import { neon } from "../../src/neon.ts"

/** A pg / Neon error as the drivers build them: a message and a SQLSTATE `code`. */
const pgError = (message: string, code: string) => Object.assign(new Error(message), { code })
const libsqlError = (message: string, code: string) => Object.assign(new Error(message), { code })

const LOST = [
  "Network connection lost.",
  "The network connection was lost.",
  "fetch failed",
  "socket hang up",
  "read ECONNRESET",
  "other side closed",
]

describe("connection losses", () => {
  it.each([...LOST, "Connection terminated unexpectedly"])("Neon: %s is a ConnectionError", (message) => {
    expect(translateNeonError(new Error(message), undefined)).toBeInstanceOf(ConnectionError)
    expect(translateNeonError(pgError(message, ""), undefined)).toBeInstanceOf(ConnectionError)
  })

  it.each(LOST)("libSQL: %s is a ConnectionError", (message) => {
    expect(translateLibsqlError(new Error(message), undefined)).toBeInstanceOf(ConnectionError)
  })
})

describe("data errors", () => {
  it.each([
    ["22001", "value too long for type character varying(2)"],
    ["22003", "numeric field overflow"],
    ["22012", "division by zero"],
    ["22P02", 'invalid input syntax for type integer: "x"'],
    ["22021", 'invalid byte sequence for encoding "UTF8": 0x00'],
    ["22P05", "unsupported Unicode escape sequence"],
    ["22008", "date/time field value out of range"],
  ])("Neon: SQLSTATE %s is a DataError, kept with its SQL", (code, message) => {
    const error = translateNeonError(pgError(message, code), { sql: "select $1", params: ["x"] })
    expect(error).toBeInstanceOf(DataError)
    expect(error).toMatchObject({ sql: "select $1", params: ["x"], message })
  })

  it.each([
    ["SQLITE_TOOBIG", "SQLITE_TOOBIG: string or blob too big"],
    ["SQLITE_MISMATCH", "SQLite error: datatype mismatch"],
    ["SQLITE_ERROR", "SQLite error: integer overflow"],
    ["SQLITE_ERROR", "SQLITE_ERROR: malformed JSON"],
  ])("libSQL: %s %s is a DataError", (code, message) => {
    expect(translateLibsqlError(libsqlError(message, code), undefined)).toBeInstanceOf(DataError)
  })

  it("leaves the other classes as they were", () => {
    expect(translateNeonError(pgError("duplicate key", "23505"), undefined)).toBeInstanceOf(IntegrityError)
    expect(translateNeonError(pgError("syntax error", "42601"), undefined)).toBeInstanceOf(ProgrammingError)
    const unique = libsqlError("UNIQUE constraint failed: t.c", "SQLITE_CONSTRAINT")
    expect(translateLibsqlError(unique, undefined)).toBeInstanceOf(IntegrityError)
    // The embedded client's message repeats its code; ours says it once.
    const repeated = libsqlError(
      "SQLITE_CONSTRAINT: SQLITE_CONSTRAINT: FOREIGN KEY constraint failed",
      "SQLITE_CONSTRAINT",
    )
    expect(translateLibsqlError(repeated, undefined).message).toBe(
      "SQLITE_CONSTRAINT: FOREIGN KEY constraint failed",
    )
    expect(translateLibsqlError(libsqlError("no such table: t", "SQLITE_ERROR"), undefined)).toBeInstanceOf(
      ProgrammingError,
    )
  })
})

describe("a WebSocket that fails, through the real Neon driver", () => {
  it("is a ConnectionError with the socket's words (its ErrorEvent was a DatabaseError '[object Object]')", async () => {
    // A loopback port nothing listens on: the WebSocket is refused before any statement is sent.
    const server = createServer().listen(0, "127.0.0.1")
    await once(server, "listening")
    const { port } = server.address() as AddressInfo
    server.close()
    await once(server, "close")
    const engine = createEngine("postgresql://postgres@127.0.0.1:5432/postgres", {
      driver: neon({
        wsProxy: (host, p) => `127.0.0.1:${port}/v2?address=${host}:${p}`,
        useSecureWebSocket: false,
        webSocketConstructor: ws,
      }),
    })
    const connection = engine.connect()
    try {
      const error = await connection.begin().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConnectionError)
      expect((error as Error).message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`)
    } finally {
      await connection.close()
    }
  })
})
