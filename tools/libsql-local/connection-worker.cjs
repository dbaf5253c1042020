// One connection to the database file, on a worker thread of its own (started by connection.ts). Plain
// JavaScript: a worker thread cannot load TypeScript under every runner that loads libsql-local (tsx,
// vitest), so this file is loaded by Node as it is.
//
// The server's thread never runs SQLite: a long statement holds this thread only, and the server goes
// on answering other clients. This thread uses the binding's promise API (`libsql/promise`), which runs
// a statement up to its first row on a thread of the binding's own: meanwhile this thread stays free
// to receive an `interrupt` message and call `interrupt()` (SQLITE_INTERRUPT at the statement's next
// step). Rows after the first are stepped here, 100 per call of the binding; between calls, an
// interrupt asked through the shared flag is honoured at once. One step that runs long by itself (a
// filter rejecting millions of rows between two it keeps) cannot be interrupted: the binding offers
// nothing for that; the server then gives this connection up (connection.ts).
//
// Operations run one at a time, in the order they arrive, so nothing ever touches the connection
// while a statement runs on it (no pool reset racing an unfinished batch).
"use strict"

const { parentPort, workerData } = require("node:worker_threads")
const Database = require("libsql/promise")

/** @type {{ path: string, flag: SharedArrayBuffer }} */
const { path, flag } = workerData
/** `interrupt(id)` from the server stores the operation's id here. */
const interruptFlag = new Int32Array(flag)

let db
try {
  // timeout 0: a locked database fails at once with SQLITE_BUSY; the server retries without blocking.
  db = new Database(path, { timeout: 0 })
} catch (error) {
  parentPort.postMessage({ type: "open-failed", error: describeError(error) })
  process.exit(0)
}

/** The operation running (its id), so that an interrupt reaches only it. */
let running = 0
/** A statement that failed with SQLITE_BUSY, kept for its retry: the binding cannot reset a statement
 *  that failed so (it stays "in progress", and the transaction's COMMIT then fails with "SQL statements
 *  in progress"); running it again resets it. */
let retained
/** Interrupted at least once: SQLite's interrupt flag may outlive the statement, so the pool does not
 *  hand this connection to another stream. */
let interrupted = false
/** The binding aborts the whole process when a closed connection is used: nothing touches it after. */
let closed = false
let changesStatement
let queue = Promise.resolve()

parentPort.on("message", (message) => {
  if (message.type === "interrupt") {
    if (message.id === running && !closed) {
      interrupted = true
      db.interrupt()
    }
    return
  }
  queue = queue.then(() => handle(message))
})
parentPort.postMessage({ type: "ready" })

async function handle(message) {
  running = message.id
  let reply
  try {
    reply = { ok: true, result: await perform(message) }
  } catch (error) {
    reply = { ok: false, error: describeError(error), phase: error?.phase ?? "run" }
  }
  running = 0
  const inTransaction = !closed && db.inTransaction
  parentPort.postMessage({ type: "reply", id: message.id, inTransaction, ...reply })
  if (message.type === "close") process.exit(0)
}

async function perform(message) {
  if (closed) throw new Error("the connection is closed")
  switch (message.type) {
    case "run":
      return run(message)
    case "describe": {
      const statement = await prepare(message.sql)
      const reader = statement.reader
      return { reader, cols: reader ? columnsOf(statement) : [] }
    }
    case "exec":
      await db.exec(message.sql)
      return {}
    case "parse":
      return parseFailure(message.sqls)
    case "reset":
      return { reusable: await reset() }
    case "close":
      retained = undefined
      // close() alone does not release the locks of an open transaction (measured with libsql 0.5.29).
      try {
        if (db.inTransaction) await db.exec("ROLLBACK")
      } finally {
        closed = true
        db.close()
      }
      return {}
    default:
      throw new Error(`unknown operation ${message.type}`)
  }
}

/** Runs one statement and builds sqld's StmtResult (without query_duration_ms's protocol check). */
async function run(message) {
  const started = performance.now()
  if (message.viaExec) {
    // Transaction control without parameters: exec finalizes its statement whatever happens, so a BEGIN
    // refused with SQLITE_BUSY leaves nothing "in progress" behind.
    retained = undefined
    try {
      await db.exec(message.sql)
    } catch (error) {
      throw withPhase(error, PARSE_FAILURE.test(String(error?.message)) ? "prepare" : "run")
    }
    return result([], [], 0, null, started)
  }

  let statement
  if (message.retryOf !== undefined && retained?.key === message.retryOf) statement = retained.statement
  else {
    retained = undefined
    statement = await prepare(message.sql)
  }
  // sqld prepares, then binds: a missing table is reported before a missing argument, which the
  // server found (it reports it once the statement prepared).
  if (message.values === null) return { prepared: true }

  const reader = statement.reader
  const cols = reader ? columnsOf(statement) : []
  if (reader) statement.raw(true)
  const rows = []
  // What sqld would count against its response limit: the columns' descriptions, then every value.
  let bytes = cols.reduce((sum, col) => sum + sqldColumnSize(col), 0)
  if (bytes > message.maxResponseBytes) throw responseTooLarge(message.maxResponseBytes)
  try {
    // Every statement, a write too, runs through iterate(): up to its first row (a write without
    // RETURNING: to its end) off this thread, where an interrupt can reach it. Every row is read even
    // when the client wants none: the statement must run to completion (an INSERT ... RETURNING
    // inserts as it steps) and must not keep its read snapshot open.
    const iterator = await statement.iterate(message.values)
    for (;;) {
      if (Atomics.load(interruptFlag, 0) === message.id) {
        interrupted = true
        db.interrupt()
      }
      const next = iterator.next()
      if (next.done) break
      if (!message.wantRows) continue
      for (const value of next.value) bytes += sqldValueSize(value)
      if (bytes > message.maxResponseBytes) {
        // Stop the statement where it is (it must not stay "in progress"), then report.
        stopIterating(iterator)
        throw responseTooLarge(message.maxResponseBytes)
      }
      rows.push(next.value.map(valueToProto))
    }
  } catch (error) {
    if (isRetryableBusy(error)) retained = { key: message.retryOf ?? message.id, statement }
    throw withPhase(error, "run")
  }
  retained = undefined
  let changes = 0
  let rowid = null
  if (message.isIud) {
    // Read from SQLite itself: the binding reports 0 changes after RETURNING and gives the rowid as a
    // lossy JS number.
    changesStatement ??= (await db.prepare("SELECT changes(), last_insert_rowid()"))
      .safeIntegers(true)
      .raw(true)
    const [row] = await changesStatement.all()
    changes = Number(row[0])
    if (message.isInsert) rowid = row[1].toString()
  }
  return { ...result(cols, rows, changes, rowid, started), responseBytes: bytes }
}

function responseTooLarge(limit) {
  const error = new Error(`Response is too large (over ${limit} bytes)`)
  error.hranaCode = "RESPONSE_TOO_LARGE"
  return error
}

/**
 * What sqld counts against its response limit for a value (libsql-server/src/hrana/result_builder.rs,
 * value_json_size): the value's JSON as sqld sketches it, in UTF-8 bytes, text unescaped, a float as
 * Rust prints it (never in exponent form), and a blob as its raw bytes, not its base64.
 */
function sqldValueSize(value) {
  if (value === null || value === undefined) return '{"type":"null"}'.length
  if (typeof value === "bigint") return `{"type":"integer","value":"${value}"}`.length
  if (typeof value === "number") return `{"type":"float","value":${rustFloat(value)}"}`.length
  if (typeof value === "string") return Buffer.byteLength(`{"type":"text","value":"${value}"}`)
  return value.byteLength ?? 0
}

/** sqld counts each column's description too, before any row (estimate_cols_json_size). */
function sqldColumnSize(col) {
  return Buffer.byteLength(`{"name":"${col.name}","decltype":"${col.decltype ?? "null"}"}`)
}

/** A float as Rust's Display writes it: the shortest digits, spelled out without an exponent. */
function rustFloat(value) {
  const [mantissa, exponent] = String(value).split("e")
  if (exponent === undefined) return mantissa
  const negative = mantissa.startsWith("-")
  const [whole, fraction = ""] = mantissa.replace("-", "").split(".")
  const digits = whole + fraction
  const point = whole.length + Number(exponent)
  const spelled =
    point >= digits.length
      ? digits + "0".repeat(point - digits.length)
      : point <= 0
        ? `0.${"0".repeat(-point)}${digits}`
        : `${digits.slice(0, point)}.${digits.slice(point)}`
  return (negative ? "-" : "") + spelled
}

function result(cols, rows, changes, rowid, started) {
  return {
    cols,
    rows,
    affected_row_count: changes,
    last_insert_rowid: rowid,
    query_duration_ms: performance.now() - started,
  }
}

let schemaCheck
/**
 * Another connection may have changed the schema since this one last read it, and SQLite checks its
 * cached schema only when a statement runs, not when one is prepared: a stale cache failed a prepare
 * ("table t has 1 columns but 4 values were supplied") or gave a SELECT * the old columns. A statement
 * that reads the schema, run first, makes SQLite compare the schema cookie and reload it. Inside a
 * transaction the snapshot's schema is the one to use.
 */
async function refreshSchema() {
  if (db.inTransaction) return
  schemaCheck ??= await db.prepare("SELECT 1 FROM sqlite_schema LIMIT 0")
  await schemaCheck.all()
}

async function prepare(sql) {
  try {
    await refreshSchema()
    return (await db.prepare(sql)).safeIntegers(true)
  } catch (error) {
    throw withPhase(error, "prepare")
  }
}

/**
 * The first of the statements SQLite cannot parse, as sqld parses all of a batch's or a sequence's
 * statements before it runs any. Preparing runs nothing; a statement that prepares badly for another
 * reason (a table an earlier statement creates) is left for its run to report.
 */
async function parseFailure(sqls) {
  for (const sql of sqls) {
    try {
      await db.prepare(sql)
    } catch (error) {
      if (PARSE_FAILURE.test(String(error?.message))) return { message: String(error.message) }
    }
  }
  return {}
}

function columnsOf(statement) {
  return statement.columns().map((column) => ({ name: column.name, decltype: column.type }))
}

function stopIterating(iterator) {
  interrupted = true
  db.interrupt()
  try {
    while (!iterator.next().done) {
      // The interrupt ends it at its next step.
    }
  } catch {
    // SQLITE_INTERRUPT: the statement has stopped.
  }
}

/** Puts the connection back to its defaults for another stream; false when it cannot be reused. */
async function reset() {
  if (db.inTransaction) await db.exec("ROLLBACK")
  // The only connection setting sqld lets a client change; a pooled connection must not carry it over.
  await db.exec("PRAGMA foreign_keys = ON")
  // Temp tables, views and triggers belong to the connection: another stream must never meet them.
  // The analysis refuses their creation; a connection that has some all the same is not reused.
  const temp = await (await db.prepare("SELECT 1 FROM temp.sqlite_master LIMIT 1")).all()
  return temp.length === 0 && retained === undefined && !interrupted
}

/** SQLite's own parse failures (errors.ts reports them as SQL_PARSE_ERROR when preparing). */
const PARSE_FAILURE = /syntax error|unrecognized token|incomplete input/

function isRetryableBusy(error) {
  return error?.rawCode === 5 || error?.rawCode === 261
}

function withPhase(error, phase) {
  if (error !== null && typeof error === "object") error.phase = phase
  return error
}

function describeError(error) {
  if (error instanceof Error) {
    return {
      message: error.message,
      code: typeof error.code === "string" ? error.code : undefined,
      rawCode: typeof error.rawCode === "number" ? error.rawCode : undefined,
      hranaCode: error.hranaCode,
    }
  }
  return { message: String(error) }
}

/** A value the binding returned (integers as bigint) as a Hrana value: the way back of values.ts's
 *  valueFromProto. */
function valueToProto(value) {
  if (value === null || value === undefined) return { type: "null" }
  if (typeof value === "bigint") return { type: "integer", value: value.toString() }
  if (typeof value === "number") return { type: "float", value }
  if (typeof value === "string") return { type: "text", value }
  const bytes =
    value instanceof ArrayBuffer
      ? Buffer.from(value)
      : ArrayBuffer.isView(value)
        ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
        : undefined
  if (bytes) {
    // sqld writes blobs as unpadded base64 (STANDARD_NO_PAD); clients accept both forms.
    return { type: "blob", base64: bytes.toString("base64").replace(/=+$/, "") }
  }
  throw new Error(`libsql-local: the native binding returned an unexpected value type (${typeof value})`)
}
