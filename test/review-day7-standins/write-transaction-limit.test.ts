// sqld holds a stream's write lock for at most 5 s from the statement that took it (libsql-server
// connection/libsql.rs: TXN_TIMEOUT and its lock-stealing busy handler). A writer waiting for the lock
// waits until the holder's time is up and then takes it, rolling the holder's transaction back; the
// holder's next request fails with TRANSACTION_TIMEOUT ("Transaction timed out"), every statement of
// it, and so does one the holder sends after its 5 s without anyone waiting. libsql-local had no such
// limit: a transaction kept its lock until the stream expired (10 s idle), the waiter failed with
// SQLITE_BUSY after its 5 s, and an interactive transaction slower than 5 s committed locally where on
// Turso it fails. transactionTimeoutMs (default 5 s, as sqld) sets the limit here, short for the tests.
import { createClient, LibsqlError } from "@libsql/client/web"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

const LIMIT_MS = 300
let local: LibsqlLocal
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0, transactionTimeoutMs: LIMIT_MS })
})
afterAll(async () => {
  await local.stop()
})

/** Past the holder's limit, with room to spare. */
const pastTheLimit = () => new Promise((resolve) => setTimeout(resolve, LIMIT_MS * 2))

interface Answer {
  baton: string | null
  results: { type: string; error?: { message: string; code: string }; response?: Record<string, unknown> }[]
}

async function pipeline(baton: string | null, requests: unknown[]): Promise<Answer> {
  const response = await fetch(`${local.url}/v3/pipeline`, {
    method: "POST",
    body: JSON.stringify({ baton, requests }),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as Answer
}

const execute = (sql: string) => ({ type: "execute", stmt: { sql } })

async function count(table: string): Promise<number> {
  const client = createClient({ url: local.url })
  const { rows } = await client.execute(`SELECT count(*) AS n FROM ${table}`)
  client.close()
  return Number(rows[0]?.n)
}

const TIMED_OUT = { message: "Transaction timed out", code: "TRANSACTION_TIMEOUT" }

describe("libsql-local limits how long a transaction holds the write lock, as sqld", () => {
  it("fails the holder's next request after the limit, and rolls its transaction back", async () => {
    await pipeline(null, [execute("CREATE TABLE r7w_self (a)"), { type: "close" }])
    const first = await pipeline(null, [execute("BEGIN"), execute("INSERT INTO r7w_self VALUES (1)")])
    await pastTheLimit()
    const late = await pipeline(first.baton, [
      execute("INSERT INTO r7w_self VALUES (2)"),
      { type: "get_autocommit" },
      execute("INSERT INTO r7w_self VALUES (3)"),
      { type: "close" },
    ])
    expect(late.results[0]).toEqual({ type: "error", error: TIMED_OUT })
    expect(late.results[1]).toMatchObject({ type: "ok", response: { is_autocommit: true } })
    // The next request is a program of its own: it runs, in autocommit.
    expect(late.results[2]?.type).toBe("ok")
    expect(await count("r7w_self")).toBe(1)
  })

  it("fails every step of the holder's next batch, whatever their conditions", async () => {
    await pipeline(null, [execute("CREATE TABLE r7w_batch (a)"), { type: "close" }])
    const first = await pipeline(null, [execute("BEGIN IMMEDIATE")])
    await pastTheLimit()
    const steps = [
      { stmt: { sql: "INSERT INTO r7w_batch VALUES (1)" } },
      { condition: { type: "error", step: 0 }, stmt: { sql: "INSERT INTO r7w_batch VALUES (2)" } },
    ]
    const late = await pipeline(first.baton, [{ type: "batch", batch: { steps } }, { type: "close" }])
    expect(late.results[0]).toEqual({
      type: "ok",
      response: {
        type: "batch",
        result: { step_results: [null, null], step_errors: [TIMED_OUT, TIMED_OUT] },
      },
    })
    expect(await count("r7w_batch")).toBe(0)
  })

  it("lets a waiting writer take the lock once the holder's time is up", async () => {
    await pipeline(null, [execute("CREATE TABLE r7w_steal (a)"), { type: "close" }])
    const holder = await pipeline(null, [execute("BEGIN"), execute("INSERT INTO r7w_steal VALUES ('held')")])
    const client = createClient({ url: local.url })
    // Waits for the lock (sqld's busy handler), then takes it: no SQLITE_BUSY.
    await client.execute("INSERT INTO r7w_steal VALUES ('waited')")
    const late = await pipeline(holder.baton, [execute("COMMIT"), { type: "close" }])
    expect(late.results[0]).toEqual({ type: "error", error: TIMED_OUT })
    expect((await client.execute("SELECT a FROM r7w_steal")).rows.map((row) => row.a)).toEqual(["waited"])
    client.close()
  })

  it("gives the official client's slow transaction TRANSACTION_TIMEOUT, as Turso does", async () => {
    const client = createClient({ url: local.url })
    await client.execute("CREATE TABLE r7w_client (a)")
    const tx = await client.transaction("write")
    await tx.execute("INSERT INTO r7w_client VALUES (1)")
    await pastTheLimit()
    const failure = await tx.commit().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(LibsqlError)
    expect(failure).toMatchObject({ code: "TRANSACTION_TIMEOUT" })
    tx.close()
    expect(await count("r7w_client")).toBe(0)
    client.close()
  })

  it("leaves a transaction that only reads alone, however long", async () => {
    await pipeline(null, [execute("CREATE TABLE r7w_read (a)"), { type: "close" }])
    const first = await pipeline(null, [execute("BEGIN"), execute("SELECT count(*) FROM r7w_read")])
    await pastTheLimit()
    const late = await pipeline(first.baton, [
      execute("INSERT INTO r7w_read VALUES (1)"),
      execute("COMMIT"),
      { type: "close" },
    ])
    expect(late.results.map((result) => result.type)).toEqual(["ok", "ok", "ok"])
    expect(await count("r7w_read")).toBe(1)
  })
})
