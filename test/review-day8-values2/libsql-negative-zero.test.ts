// A float -0.0 the database computes (`0.0 * -1`, `0.0 / -1`) is sent by sqld as `-0.0` (serde_json
// writes an f64 so); libsql-local wrote its answers with JSON.stringify, which writes `0`, so a client
// read 0 locally where Turso gives -0 (1 / x is -Infinity there, Infinity here). Its HTTP answers
// (pipeline, cursor) and its WebSocket messages now write -0.0 as sqld does.
import { createClient } from "@libsql/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

let local: LibsqlLocal
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0 })
})
afterAll(async () => {
  await local.stop()
})

const SQL = "SELECT 0.0 * -1, 0.0 / -1, 0.0, 0.0 * 1, -1.5"
const expected = [-0, -0, 0, 0, -1.5]

describe("libsql-local sends a float -0.0 as sqld does", () => {
  it("in a pipeline's JSON", async () => {
    const response = await fetch(`${local.url}/v2/pipeline`, {
      method: "POST",
      body: JSON.stringify({ requests: [{ type: "execute", stmt: { sql: SQL } }, { type: "close" }] }),
    })
    const text = await response.text()
    expect(text).toContain('{"type":"float","value":-0.0}')
    const row = JSON.parse(text).results[0].response.result.rows[0] as { value: number }[]
    expect(row.map((v) => Object.is(v.value, -0))).toEqual([true, true, false, false, false])
  })

  for (const scheme of ["http", "ws"]) {
    it(`to @libsql/client over ${scheme}://`, async () => {
      const client = createClient({ url: local.url.replace(/^http/, scheme) })
      try {
        const result = await client.execute(SQL)
        const row = Array.from({ length: expected.length }, (_, i) => result.rows[0]?.[i])
        expect(row.map((v) => Object.is(v, -0))).toEqual(expected.map((v) => Object.is(v, -0)))
        expect(row).toEqual(expected)
        // A batch goes through the cursor endpoint (Hrana 3 over HTTP) or the socket.
        const [batch] = await client.batch([SQL], "read")
        expect(Object.is(batch?.rows[0]?.[0], -0)).toBe(true)
      } finally {
        client.close()
      }
    })
  }
})
