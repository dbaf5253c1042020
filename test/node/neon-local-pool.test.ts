// neon-local's upstream pool: a connection goes back for reuse with a fresh session, as Neon gives
// every request that does not opt in to its pooling; one that opts in keeps its session, as on Neon.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { UpstreamPool } from "../../tools/neon-local/upstream-pool.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

let database: Awaited<ReturnType<typeof createScratchDatabase>>
let pool: UpstreamPool
beforeAll(async () => {
  database = await createScratchDatabase(pgUrl())
  pool = new UpstreamPool(database.url)
})
afterAll(async () => {
  await pool.close()
  await database.drop()
})

const name = () => new URL(database.url).pathname.slice(1)
const applicationName = async (client: Awaited<ReturnType<UpstreamPool["acquire"]>>) =>
  (await client.query<{ application_name: string }>("SHOW application_name")).rows[0]?.application_name

describe("neon-local's upstream pool", () => {
  it("resets a connection's session before reuse, unless the request opted in to pooling", async () => {
    const first = await pool.acquire("postgres", name())
    await first.query("SET application_name = 'kept'")
    await pool.release(first, "postgres", name(), true, true)
    const again = await pool.acquire("postgres", name())
    expect(again).toBe(first)
    expect(await applicationName(again)).toBe("kept")
    await pool.release(again, "postgres", name(), true)
    const reset = await pool.acquire("postgres", name())
    expect(reset).toBe(first)
    expect(await applicationName(reset)).not.toBe("kept")
    await pool.release(reset, "postgres", name(), true)
  })

  it("closes a connection left inside a transaction rather than reuse it", async () => {
    const open = await pool.acquire("postgres", name())
    await open.query("BEGIN")
    await pool.release(open, "postgres", name(), true)
    const next = await pool.acquire("postgres", name())
    expect(next).not.toBe(open)
    await pool.release(next, "postgres", name(), true)
  })
})
