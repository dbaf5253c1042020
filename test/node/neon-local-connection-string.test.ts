// neon-local reads the driver's Neon-Connection-String as Neon's proxy does (the urlencoding crate): a
// `%` that starts no escape is part of the password, not a malformed URL.
import { neon, neonConfig } from "@neondatabase/serverless"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type NeonLocal, startNeonLocal } from "../../tools/neon-local/index.ts"
import { pgUrl } from "../setup/postgres.ts"

let local: NeonLocal
beforeAll(async () => {
  local = await startNeonLocal({ upstream: pgUrl(), port: 0, password: "pa%ss%2" })
})
afterAll(async () => {
  await local.stop()
})

describe("neon-local and the connection string's escapes", () => {
  it("accepts a password whose % starts no escape, written as is or escaped, through the driver", async () => {
    neonConfig.fetchEndpoint = local.fetchEndpoint()
    const url = new URL(pgUrl())
    const connection = (password: string) => `postgres://${url.username}:${password}@localhost${url.pathname}`
    expect(await neon(connection("pa%ss%2")).query("SELECT 1 AS one")).toEqual([{ one: 1 }])
    expect(await neon(connection("pa%25ss%252")).query("SELECT 2 AS two")).toEqual([{ two: 2 }])
    await expect(neon(connection("pa%ss")).query("SELECT 3")).rejects.toMatchObject({ code: "28P01" })
  })
})
