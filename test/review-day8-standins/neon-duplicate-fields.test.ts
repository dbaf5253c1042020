// neon-local refuses a SQL-over-HTTP body that gives a field twice, as Neon's proxy does: it reads the
// body with serde's derive (sql_over_http.rs: QueryData, BatchQueryData, the untagged Payload), which
// refuses a field given twice, so neither variant matches. JSON.parse kept the last value: a
// hand-written or buggy client's {"query": ..., "query": ...} ran its second query locally and is a
// 400 on Neon. A key Neon does not know may come twice.
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let local: NeonLocal
let admin: pg.Client
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  local = await startNeonLocal({ upstream: database.url, port: 0 })
  admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  await admin.query("CREATE TABLE r8_dup (a int)")
})
afterAll(async () => {
  await admin?.end()
  await local?.stop()
  await database?.drop()
})

async function post(body: string): Promise<{ status: number; body: { message?: string } }> {
  const response = await fetch(local.fetchEndpoint(), {
    method: "POST",
    headers: { "Neon-Connection-String": database.url },
    body,
  })
  return { status: response.status, body: (await response.json()) as { message?: string } }
}

async function count(): Promise<number> {
  return (await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM r8_dup")).rows[0]?.n ?? 0
}

const UNTAGGED =
  "could not parse the HTTP request body: data did not match any variant of untagged enum Payload"
const insert = (value: number) => `{"query":"INSERT INTO r8_dup VALUES (${value})"}`

describe("neon-local refuses a field given twice, as Neon's serde does", () => {
  it.each([
    ["a query's query", '{"query":"SELECT 1","query":"INSERT INTO r8_dup VALUES (1)"}'],
    ["a query's params", '{"query":"INSERT INTO r8_dup VALUES ($1)","params":["1"],"params":["2"]}'],
    ["a batch's queries", `{"queries":[${insert(1)}],"queries":[${insert(2)}]}`],
    [
      "a batch query's params",
      `{"queries":[${insert(1)},{"query":"INSERT INTO r8_dup VALUES ($1)","params":["1"],"\\u0070arams":["2"]}]}`,
    ],
  ])("%s: 400, nothing run", async (_what, body) => {
    const answer = await post(body)
    expect(answer.status).toBe(400)
    expect(answer.body.message).toBe(UNTAGGED)
    expect(await count()).toBe(0)
  })

  it("lets a key Neon does not know come twice", async () => {
    const answer = await post('{"query":"INSERT INTO r8_dup VALUES (7) RETURNING a","x":1,"x":2}')
    expect(answer.status).toBe(200)
    expect(await count()).toBe(1)
  })
})
