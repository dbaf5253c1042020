// libsql-local answers malformed Hrana requests in sqld's words:
// - a field given twice in one JSON object: sqld's serde-derived structs refuse it ("duplicate field
//   `baton`", HTTP 400, nothing run) where JSON.parse kept the last value, so a hand-written or buggy
//   client's request ran locally with one of its two values and failed on Turso. A key sqld does not
//   know may come twice (serde ignores it), as may a field in two different objects.
// - SQL_STORE_TOO_LARGE: sqld words the sizes with the `bytesize` crate's Display ("5.3 KB/5.0 KB"),
//   libsql-local said "5350 B/5000 B".
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

let local: LibsqlLocal
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0 })
})
afterAll(async () => {
  await local.stop()
})

async function post(path: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${local.url}${path}`, { method: "POST", body })
  return { status: response.status, text: await response.text() }
}

const refusal = (field: string) => ({
  status: 400,
  text: `Cannot deserialize client message from JSON: duplicate field \`${field}\``,
})

async function count(): Promise<number> {
  const answer = await post(
    "/v2/pipeline",
    '{"requests":[{"type":"execute","stmt":{"sql":"SELECT count(*) FROM r8_dup"}},{"type":"close"}]}',
  )
  return Number(JSON.parse(answer.text).results[0].response.result.rows[0][0].value)
}

describe("libsql-local refuses a field given twice, as sqld's serde does", () => {
  beforeAll(async () => {
    await post("/v2/pipeline", '{"requests":[{"type":"execute","stmt":{"sql":"CREATE TABLE r8_dup (a)"}}]}')
  })

  const insert = '{"type":"execute","stmt":{"sql":"INSERT INTO r8_dup VALUES (1)"}}'
  it.each([
    ["the body's requests", `{"requests":[${insert}],"requests":[${insert},${insert}]}`, "requests"],
    ["the body's baton", `{"baton":null,"baton":null,"requests":[${insert}]}`, "baton"],
    [
      "a request's type",
      `{"requests":[{"type":"close","type":"execute","stmt":{"sql":"SELECT 1"}}]}`,
      "type",
    ],
    [
      "a statement's sql",
      '{"requests":[{"type":"execute","stmt":{"sql":"SELECT 1","sql":"INSERT INTO r8_dup VALUES (1)"}}]}',
      "sql",
    ],
    [
      "a value's value, written with an escape",
      '{"requests":[{"type":"execute","stmt":{"sql":"INSERT INTO r8_dup VALUES (?)",' +
        '"args":[{"type":"integer","value":"1","\\u0076alue":"2"}]}}]}',
      "value",
    ],
    [
      "a batch condition's step",
      `{"requests":[{"type":"batch","batch":{"steps":[{"stmt":{"sql":"SELECT 1"}},` +
        `{"condition":{"type":"ok","step":0,"step":5},"stmt":{"sql":"INSERT INTO r8_dup VALUES (1)"}}]}}]}`,
      "step",
    ],
  ])("%s", async (_what, body, field) => {
    expect(await post("/v3/pipeline", body)).toEqual(refusal(field))
    expect(await count()).toBe(0)
  })

  it("on the cursor endpoint too", async () => {
    const body = '{"batch":{"steps":[{"stmt":{"sql":"INSERT INTO r8_dup VALUES (1)"}}],"steps":[]}}'
    expect(await post("/v3/cursor", body)).toEqual(refusal("steps"))
    expect(await count()).toBe(0)
  })

  it("lets an unknown key come twice, and the same field in two objects", async () => {
    const body =
      '{"x":1,"x":2,"requests":[{"type":"execute","stmt":{"sql":"INSERT INTO r8_dup VALUES (1)","y":0,"y":1}},' +
      '{"type":"execute","stmt":{"sql":"INSERT INTO r8_dup VALUES (2)"}},{"type":"close"}]}'
    const answer = await post("/v3/pipeline", body)
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.text).results.map((r: { type: string }) => r.type)).toEqual(["ok", "ok", "ok"])
    expect(await count()).toBe(2)
    await post("/v2/pipeline", '{"requests":[{"type":"execute","stmt":{"sql":"DELETE FROM r8_dup"}}]}')
  })
})

describe("libsql-local words SQL_STORE_TOO_LARGE as sqld", () => {
  it.each([
    [5_001, "5.0 KB"],
    [5_250, "5.2 KB"],
    [5_350, "5.3 KB"],
    [5_750, "5.8 KB"],
    [1_048_576, "1048.6 KB"],
  ])("a statement of %i bytes is %s", async (bytes, words) => {
    const sql = `SELECT 1${" ".repeat(bytes - 8)}`
    const answer = await post(
      "/v2/pipeline",
      JSON.stringify({ requests: [{ type: "store_sql", sql_id: 1, sql }, { type: "close" }] }),
    )
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.text).results[0]).toEqual({
      type: "error",
      error: {
        message: `The statement is too large to be stored: ${words}/5.0 KB`,
        code: "SQL_STORE_TOO_LARGE",
      },
    })
  })
})
