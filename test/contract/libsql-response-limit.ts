// libsql-local's response limit held to sqld's (libsql-server/src/hrana/result_builder.rs): 10 MB per
// response, counted as sqld counts it (text in UTF-8 bytes, a blob as its raw bytes, not its base64),
// and shared by the steps of one batch. Checked with the real `@libsql/client/web`, in Node and
// inside workerd.
import { createClient } from "@libsql/client/web"
import { afterAll, describe, expect, it } from "vitest"
import type { LibsqlEndpointForTests } from "./libsql-local.ts"

export function libsqlResponseLimitContract(env: {
  runtime: string
  endpoint: LibsqlEndpointForTests
}): void {
  const client = createClient({ url: env.endpoint.url, authToken: env.endpoint.authToken })
  const tooLarge = { code: "RESPONSE_TOO_LARGE" }

  describe(`libsql-local's response limit, as sqld counts it (${env.runtime})`, () => {
    afterAll(() => client.close())

    it("counts text in UTF-8 bytes: 4 million euro signs (12 MB) are too large", async () => {
      await expect(
        client.execute("SELECT replace(hex(zeroblob(4000000)), '00', '€') AS euros"),
      ).rejects.toMatchObject(tooLarge)
      const ascii = await client.execute("SELECT length(replace(hex(zeroblob(4000000)), '00', 'e')) AS n")
      expect(ascii.rows[0]?.n).toBe(4000000)
    })

    it("counts a blob as its bytes, not its base64: an 8 MB blob comes back", async () => {
      const result = await client.execute("SELECT zeroblob(8000000) AS b")
      expect((result.rows[0]?.b as ArrayBuffer | undefined)?.byteLength).toBe(8000000)
    })

    it("shares the limit among a batch's steps: two 6 MB blobs are too large together", async () => {
      const six = "SELECT zeroblob(6000000) AS b"
      await expect(client.batch([six, six], "read")).rejects.toMatchObject(tooLarge)
      const [alone] = await client.batch([six], "read")
      expect((alone?.rows[0]?.b as ArrayBuffer | undefined)?.byteLength).toBe(6000000)
    })
  })
}
