// libsql-local reads a hand-written request's values as sqld does (libsql-hrana's proto.rs): an integer
// is parsed by Rust's i64::from_str, which takes a leading "+"; a blob's base64 is decoded strictly
// after its padding is trimmed (STANDARD_NO_PAD), so text of a length no base64 has ("A") or with
// stray last bits ("AB") is a 400. libsql-local refused "+5", and Node's lenient decoder turned "A"
// into an empty blob and "AB" into one zero byte, stored without a word.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

let local: LibsqlLocal
beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0 })
})
afterAll(async () => {
  await local.stop()
})

async function select(value: unknown): Promise<{ status: number; body: string }> {
  const response = await fetch(`${local.url}/v2/pipeline`, {
    method: "POST",
    body: JSON.stringify({
      requests: [{ type: "execute", stmt: { sql: "SELECT ?", args: [value] } }, { type: "close" }],
    }),
  })
  return { status: response.status, body: await response.text() }
}

const returned = (answer: { body: string }) => JSON.parse(answer.body).results[0].response.result.rows[0][0]

describe("libsql-local reads hand-written values as sqld does", () => {
  it("takes an integer with a leading +", async () => {
    expect(returned(await select({ type: "integer", value: "+5" }))).toEqual({ type: "integer", value: "5" })
    expect((await select({ type: "integer", value: "5.0" })).status).toBe(400)
  })

  it("refuses base64 that decodes to nothing sure, and takes it padded or not", async () => {
    for (const base64 of ["A", "AB", "AP9", "A=B"]) {
      expect(await select({ type: "blob", base64 }), base64).toEqual({
        status: 400,
        body: "Cannot deserialize client message from JSON: requests[0].stmt.args[0]: blob value must carry base64 text in `base64`",
      })
    }
    expect(returned(await select({ type: "blob", base64: "AP8=" }))).toEqual({ type: "blob", base64: "AP8" })
    expect(returned(await select({ type: "blob", base64: "AP8" }))).toEqual({ type: "blob", base64: "AP8" })
    expect(returned(await select({ type: "blob", base64: "" }))).toEqual({ type: "blob", base64: "" })
  })
})
