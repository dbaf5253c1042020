// The stand-ins read a request's JSON as the real services do (serde_json, in sqld and in Neon's proxy):
// a string with half a surrogate pair (a JS string cut in the middle of an emoji, which JSON.stringify
// sends as "\ud83d"), text that is not UTF-8, and JSON nested deeper than serde_json's 128 levels are
// refused with a 400 and nothing stored. JSON.parse accepted them: libsql-local stored U+FFFD in place
// of the half pair, neon-local sent it to PostgreSQL the same way, so a test passed locally that fails
// on Turso and Neon; and a batch condition nested 20,000 deep crashed libsql-local's decoder with a
// stack overflow answered as a 500.
import { createClient } from "@libsql/client/web"
import { neon, neonConfig } from "@neondatabase/serverless"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

const HALF_EMOJI = "🙂".slice(0, 1)

let libsql: LibsqlLocal
let neonLocal: NeonLocal
let database: Awaited<ReturnType<typeof createScratchDatabase>>
beforeAll(async () => {
  libsql = await startLibsqlLocal({ port: 0 })
  database = await createScratchDatabase(pgUrl())
  neonLocal = await startNeonLocal({ upstream: database.url, port: 0 })
  neonConfig.fetchEndpoint = neonLocal.fetchEndpoint()
})
afterAll(async () => {
  await libsql.stop()
  await neonLocal.stop()
  await database.drop()
})

async function hrana(body: BodyInit): Promise<{ status: number; text: string }> {
  const response = await fetch(`${libsql.url}/v3/pipeline`, { method: "POST", body })
  return { status: response.status, text: await response.text() }
}

async function neonSql(body: BodyInit): Promise<{ status: number; message: string }> {
  const response = await fetch(neonLocal.fetchEndpoint(), {
    method: "POST",
    headers: { "Neon-Connection-String": database.url },
    body,
  })
  return { status: response.status, message: ((await response.json()) as { message: string }).message }
}

/** The JSON text's bytes with its one `~` made a byte that is never UTF-8. */
function notUtf8(json: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(json)
  bytes[bytes.indexOf(0x7e)] = 0xff
  return bytes
}

const execute = (value: string) =>
  `{"requests":[{"type":"execute","stmt":{"sql":"SELECT ?","args":[{"type":"text","value":${value}}]}}]}`

/** `{"type":"not","cond":...}` nested `depth` times around a condition on step 0. */
function nestedCondition(depth: number): string {
  let condition = '{"type":"ok","step":0}'
  for (let i = 0; i < depth; i++) condition = `{"type":"not","cond":${condition}}`
  return condition
}

const batch = (condition: string) =>
  `{"requests":[{"type":"batch","batch":{"steps":[{"stmt":{"sql":"SELECT 1"}},` +
  `{"condition":${condition},"stmt":{"sql":"SELECT 2"}}]}}]}`

describe("libsql-local reads JSON as sqld does", () => {
  it("refuses half a surrogate pair from the client, and stores nothing", async () => {
    const client = createClient({ url: libsql.url })
    await client.execute("CREATE TABLE r7_notes (body TEXT)")
    await expect(
      client.execute({ sql: "INSERT INTO r7_notes VALUES (?)", args: [HALF_EMOJI] }),
    ).rejects.toThrow(/lone leading surrogate in hex escape|unexpected end of hex escape/)
    expect((await client.execute("SELECT count(*) AS n FROM r7_notes")).rows[0]?.n).toBe(0)
    client.close()
  })

  it("words each surrogate mistake as serde_json does; a whole pair passes", async () => {
    expect(await hrana(execute('"\\ud83d"'))).toEqual({
      status: 400,
      text: "Cannot deserialize client message from JSON: unexpected end of hex escape",
    })
    expect(await hrana(execute('"\\ud83d\\u0041"'))).toEqual({
      status: 400,
      text: "Cannot deserialize client message from JSON: lone leading surrogate in hex escape",
    })
    expect(await hrana(execute('"\\ude42"'))).toEqual({
      status: 400,
      text: "Cannot deserialize client message from JSON: lone leading surrogate in hex escape",
    })
    const pair = await hrana(execute('"\\ud83d\\ude42 \\\\ud83d"'))
    expect(pair.status).toBe(200)
    expect(pair.text).toContain('"value":"🙂 \\\\ud83d"')
  })

  it("refuses text that is not UTF-8", async () => {
    const bytes = notUtf8(execute('"a~"'))
    expect(await hrana(bytes)).toEqual({
      status: 400,
      text: "Cannot deserialize client message from JSON: invalid unicode code point",
    })
  })

  it("refuses JSON nested past 128 levels with a 400, and stays up", async () => {
    expect(await hrana(batch(nestedCondition(20_000)))).toEqual({
      status: 400,
      text: "Cannot deserialize client message from JSON: recursion limit exceeded",
    })
    // The body's own 6 levels, then one per `not` and one for the innermost condition: 120 `not`s
    // are 127 levels, the deepest serde_json takes; 121 are refused.
    const within = await hrana(batch(nestedCondition(120)))
    expect(within.status).toBe(200)
    expect(JSON.parse(within.text).results[0].type).toBe("ok")
    expect((await hrana(batch(nestedCondition(121)))).status).toBe(400)
  })
})

describe("neon-local reads JSON as Neon's proxy does", () => {
  it("refuses half a surrogate pair from the driver, and stores nothing", async () => {
    const sql = neon(database.url)
    await sql.query("CREATE TABLE r7_notes (body text)")
    await expect(sql.query("INSERT INTO r7_notes VALUES ($1)", [HALF_EMOJI])).rejects.toThrow(
      /could not parse the HTTP request body: unexpected end of hex escape/,
    )
    expect(await sql.query("SELECT count(*)::int AS n FROM r7_notes")).toEqual([{ n: 0 }])
  })

  it("refuses text that is not UTF-8, and JSON nested past 128 levels", async () => {
    const bytes = notUtf8('{"query":"SELECT $1","params":["a~"]}')
    expect(await neonSql(bytes)).toEqual({
      status: 400,
      message: "could not parse the HTTP request body: invalid unicode code point",
    })
    const deep = `{"query":"SELECT $1","params":[${"[".repeat(200)}1${"]".repeat(200)}]}`
    expect(await neonSql(deep)).toEqual({
      status: 400,
      message: "could not parse the HTTP request body: recursion limit exceeded",
    })
    expect(await neonSql('{"query":"SELECT $1::text AS a","params":["\\ud83d\\ude42"]}')).toMatchObject({
      status: 200,
    })
  })
})
