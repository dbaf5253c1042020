// sqld parses every statement of a batch and of a sequence (executeMultiple) before it runs any
// (libsql-server's proto_batch_to_program, proto_sequence_to_program): a syntax error anywhere fails the
// whole request with SQL_PARSE_ERROR and nothing runs. libsql-local found syntax errors only when it
// reached the statement: executeMultiple of a schema script with a typo in its third statement left
// the first two applied (a table Turso never creates), and a batch's syntax error came back as that
// step's error, a LibsqlBatchError naming the statement, where Turso's client throws a LibsqlError.
import { createClient, LibsqlBatchError, LibsqlError } from "@libsql/client/web"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

let local: LibsqlLocal
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0 })
})
afterAll(async () => {
  await local.stop()
})

async function tables(): Promise<string[]> {
  const client = createClient({ url: local.url })
  const { rows } = await client.execute(
    "SELECT name FROM sqlite_schema WHERE name LIKE 'r7p_%' ORDER BY name",
  )
  client.close()
  return rows.map((row) => String(row.name))
}

async function pipeline(requests: unknown[]): Promise<{ status: number; results: unknown[] }> {
  const response = await fetch(`${local.url}/v3/pipeline`, {
    method: "POST",
    body: JSON.stringify({ requests: [...requests, { type: "close" }] }),
  })
  return { status: response.status, results: ((await response.json()) as { results: unknown[] }).results }
}

describe("libsql-local parses a request's statements before it runs any, as sqld", () => {
  it("runs none of an executeMultiple script with a syntax error in it", async () => {
    const client = createClient({ url: local.url })
    const script = "CREATE TABLE r7p_seq (a); INSERT INTO r7p_seq VALUES (1); INSERT INTO r7p_seq VALUES ("
    const failure = await client.executeMultiple(script).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(LibsqlError)
    expect(failure).toMatchObject({ code: "SQL_PARSE_ERROR" })
    expect(await tables()).toEqual([])
    client.close()
  })

  it("fails a batch with a syntax error as a whole: a LibsqlError, no statement index, nothing run", async () => {
    const client = createClient({ url: local.url })
    const failure = await client
      .batch(["CREATE TABLE r7p_batch (a)", "INSERT INTO r7p_batch VALUES (1", "SELECT 1"], "write")
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(LibsqlError)
    expect(failure).not.toBeInstanceOf(LibsqlBatchError)
    expect(failure).toMatchObject({ code: "SQL_PARSE_ERROR" })
    expect(await tables()).toEqual([])
    client.close()
  })

  it("answers a raw batch with a syntax error as the request's error, not a step's", async () => {
    const steps = ["CREATE TABLE r7p_raw (a)", "SELEC 2", "SELECT 3"].map((sql) => ({ stmt: { sql } }))
    const answer = await pipeline([{ type: "batch", batch: { steps } }])
    expect(answer.status).toBe(200)
    expect(answer.results[0]).toEqual({
      type: "error",
      error: {
        message: expect.stringMatching(/^SQL string could not be parsed: .*syntax error/),
        code: "SQL_PARSE_ERROR",
      },
    })
    expect(await tables()).toEqual([])
  })

  it("still runs statements that use a table an earlier one creates", async () => {
    const client = createClient({ url: local.url })
    await client.executeMultiple("CREATE TABLE r7p_ok (a); INSERT INTO r7p_ok VALUES (1)")
    await client.batch(["CREATE TABLE r7p_ok2 (a)", "INSERT INTO r7p_ok2 SELECT a FROM r7p_ok"], "write")
    expect((await client.execute("SELECT a FROM r7p_ok2")).rows.map((row) => row.a)).toEqual([1])
    // A missing table is the run's error, reported for its step as sqld reports it.
    const answer = await pipeline([
      {
        type: "batch",
        batch: { steps: [{ stmt: { sql: "SELECT 1" } }, { stmt: { sql: "SELECT * FROM r7p_none" } }] },
      },
    ])
    expect(answer.results[0]).toMatchObject({
      type: "ok",
      response: { result: { step_errors: [null, { code: "SQLITE_ERROR" }] } },
    })
    await client.execute("DROP TABLE r7p_ok")
    await client.execute("DROP TABLE r7p_ok2")
    client.close()
  })
})
