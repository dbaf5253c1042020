// libsql-local in Node: the shared wire contract with the real client, plus what only Node can check
// (starting and stopping servers, lock waits between streams).
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createClient, LibsqlError } from "@libsql/client/web"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { ConnectionPool } from "../../tools/libsql-local/connection-pool.ts"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { libsqlLocalContract } from "../contract/libsql-local.ts"
import { libsqlResponseLimitContract } from "../contract/libsql-response-limit.ts"

const shortExpiryToken = "short-expiry-token"
let shortExpiry: LibsqlLocal | undefined

beforeAll(async () => {
  shortExpiry = await startLibsqlLocal({ port: 0, authToken: shortExpiryToken, streamExpiryMs: 200 })
})
afterAll(async () => {
  await shortExpiry?.stop()
})

libsqlLocalContract({
  runtime: "node",
  endpoint: inject("libsql"),
  shortExpiry: {
    get url() {
      if (!shortExpiry) throw new Error("the short-expiry server has not started")
      return shortExpiry.url
    },
    authToken: shortExpiryToken,
  },
})
libsqlResponseLimitContract({ runtime: "node", endpoint: inject("libsql") })

describe("libsql-local's connection pool", () => {
  it("never hands a connection holding temp objects to another stream", async () => {
    const dir = await mkdtemp(join(tmpdir(), "libsql-pool-"))
    const pool = await ConnectionPool.open(join(dir, "pool.db"))
    try {
      const first = await pool.acquire()
      // What the SQL analysis refuses over the protocol, done on the connection itself.
      await first.perform({ type: "exec", sql: "CREATE TEMP TABLE leak (x)" })
      await pool.release(first)
      const next = await pool.acquire()
      expect(next).not.toBe(first)
      const temp = await next.perform<{ rows: unknown[] }>({
        type: "run",
        sql: "SELECT name FROM temp.sqlite_master",
        values: [],
        wantRows: true,
        isIud: false,
        isInsert: false,
        viaExec: false,
        retryOf: undefined,
        maxResponseBytes: 1_000_000,
      })
      expect(temp.rows).toEqual([])
      await pool.release(next)
      // A clean connection is reused.
      expect(await pool.acquire()).toBe(next)
    } finally {
      await pool.closeAll()
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe("libsql-local lifecycle and locking (node)", () => {
  it("serves a given database file in WAL mode and stops cleanly", async () => {
    const dir = await mkdtemp(join(tmpdir(), "libsql-local-test-"))
    const path = join(dir, "given.db")
    try {
      const local = await startLibsqlLocal({ path, port: 0 })
      const client = createClient({ url: local.url, intMode: "bigint" })
      await client.execute("CREATE TABLE kept (x INTEGER)")
      await client.execute("INSERT INTO kept VALUES (7)")
      expect((await client.execute("PRAGMA journal_mode")).rows[0]?.journal_mode).toBe("wal")
      expect(local.path).toBe(path)
      await local.stop()
      expect(
        await fetch(local.url).then(
          () => "answered",
          () => "refused",
        ),
      ).toBe("refused")

      const again = await startLibsqlLocal({ path, port: 0 })
      const reopened = createClient({ url: again.url, intMode: "bigint" })
      expect((await reopened.execute("SELECT x FROM kept")).rows[0]?.x).toBe(7n)
      await again.stop()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it("deletes its temporary database on stop", async () => {
    const local = await startLibsqlLocal({ port: 0 })
    expect(existsSync(local.path)).toBe(true)
    await local.stop()
    expect(existsSync(local.path)).toBe(false)
  })

  it("stops at once while a client has sent half a request and stalls", async () => {
    const local = await startLibsqlLocal({ port: 0 })
    const stalled = connect({ host: "127.0.0.1", port: local.port })
    stalled.on("error", () => undefined)
    try {
      // Headers promising 1000 bytes, then 14 of them; the request handler is waiting for the rest.
      const headers = "POST /v2/pipeline HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n"
      await new Promise((resolve) => stalled.write(`${headers}{"requests": [`, resolve))
      while (local.stats().httpRequests === 0) await new Promise((resolve) => setTimeout(resolve, 5))
      // Before the fix stop() waited for that body until Node's requestTimeout (300 s).
      expect(await settlesWithin(local.stop(), 3_000)).toBe("settled")
    } finally {
      stalled.destroy()
      await local.stop()
    }
  })

  it("lets a write wait, without blocking, for another stream's transaction", async () => {
    const local = await startLibsqlLocal({ port: 0 })
    try {
      const client = createClient({ url: local.url, intMode: "bigint" })
      await client.execute("CREATE TABLE queue (x INTEGER)")
      const tx = await client.transaction("write")
      await tx.execute("INSERT INTO queue VALUES (1)")
      const waiting = client.execute("INSERT INTO queue VALUES (2)")
      // The event loop stays free while the second write waits: the transaction can still finish.
      await new Promise((resolve) => setTimeout(resolve, 50))
      await tx.execute("INSERT INTO queue VALUES (3)")
      await tx.commit()
      await waiting
      expect((await client.execute("SELECT group_concat(x) AS xs FROM queue")).rows[0]?.xs).toBe("1,3,2")
    } finally {
      await local.stop()
    }
  })

  it("commits a transaction whose BEGIN waited for another's write lock", async () => {
    const local = await startLibsqlLocal({ port: 0 })
    try {
      const client = createClient({ url: local.url, intMode: "bigint" })
      await client.execute("CREATE TABLE turns (x INTEGER)")
      const first = await client.transaction("write")
      await first.execute("INSERT INTO turns VALUES (1)")
      // Their BEGIN IMMEDIATE finds the lock taken and waits, retried, until it is free.
      const batch = client.batch(["INSERT INTO turns VALUES (2)"], "write")
      const second = client.transaction("write").then(async (tx) => {
        await tx.execute("INSERT INTO turns VALUES (3)")
        await tx.commit()
      })
      await new Promise((resolve) => setTimeout(resolve, 50))
      await first.commit()
      await Promise.all([batch, second])
      const rows = await client.execute("SELECT x FROM turns ORDER BY x")
      expect(rows.rows.map((row) => row.x)).toEqual([1n, 2n, 3n])
    } finally {
      await local.stop()
    }
  })

  it("reports SQLITE_BUSY once the wait bound has passed", async () => {
    const local = await startLibsqlLocal({ port: 0, busyTimeoutMs: 200 })
    try {
      const client = createClient({ url: local.url, intMode: "bigint" })
      await client.execute("CREATE TABLE contended (x INTEGER)")
      const tx = await client.transaction("write")
      await tx.execute("INSERT INTO contended VALUES (1)")
      const started = Date.now()
      const error = await client.execute("INSERT INTO contended VALUES (2)").catch((e: unknown) => e)
      expect(error).toBeInstanceOf(LibsqlError)
      expect((error as LibsqlError).code).toBe("SQLITE_BUSY")
      expect(Date.now() - started).toBeGreaterThanOrEqual(150)
      await tx.rollback()
    } finally {
      await local.stop()
    }
  })
})

/** "settled" when `work` settles within `ms`, "still pending" otherwise: a hang fails the test instead
 *  of holding the run. */
function settlesWithin(work: Promise<unknown>, ms: number): Promise<"settled" | "still pending"> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<"still pending">((resolve) => {
    timer = setTimeout(() => resolve("still pending"), ms)
  })
  const settled = work.then(
    () => "settled" as const,
    () => "settled" as const,
  )
  return Promise.race([settled, late]).finally(() => clearTimeout(timer))
}
