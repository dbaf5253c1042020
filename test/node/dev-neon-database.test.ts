// `npm run dev:neon` keeps the blog in a database of its own on the server at PG_URL, created when
// missing, never in the server's shared `postgres` database.
import { neon, neonConfig } from "@neondatabase/serverless"
import pg from "pg"
import { afterAll, describe, expect, it } from "vitest"
import { BLOG_DATABASE, ensureDatabase, startNeonDatabase } from "../../tools/dev/neon-database.ts"
import { pgUrl } from "../setup/postgres.ts"

const name = `edgealchemy_dev_test_${Date.now().toString(36)}_${process.pid}`

afterAll(async () => {
  const client = new pg.Client({ connectionString: pgUrl() })
  await client.connect()
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  await client.end()
})

describe("the dev:neon database", () => {
  it("is edgealchemy_blog by default", () => {
    expect(BLOG_DATABASE).toBe("edgealchemy_blog")
  })

  it("is created when missing, and found the next time", async () => {
    const first = await ensureDatabase(pgUrl(), name)
    expect(first.created).toBe(true)
    expect(new URL(first.url).pathname).toBe(`/${name}`)
    const second = await ensureDatabase(pgUrl(), name)
    expect(second).toEqual({ url: first.url, created: false })
  })

  it("is what the local Neon endpoint and the worker's DATABASE_URL point at", async () => {
    const database = await startNeonDatabase(pgUrl(), 0, name)
    try {
      expect(new URL(database.vars.DATABASE_URL).pathname).toBe(`/${name}`)
      neonConfig.fetchEndpoint = database.vars.NEON_FETCH_ENDPOINT as string
      const sql = neon(database.vars.DATABASE_URL)
      expect(await sql.query("SELECT current_database() AS db")).toEqual([{ db: name }])
    } finally {
      await database.stop()
    }
  })
})
