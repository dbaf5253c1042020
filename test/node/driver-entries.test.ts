// Each driver entry's createEngine takes engine and driver options in one object, as the README
// shows: `createEngine(env.DATABASE_URL, { authToken: env.DATABASE_AUTH_TOKEN })`.
import { describe, expect, inject, it } from "vitest"
import { literal, select } from "../../src/index.ts"
import { createEngine as libsqlEngine } from "../../src/libsql.ts"
import { createEngine as neonEngine } from "../../src/neon.ts"

describe("driver entries' createEngine", () => {
  it("libsql: takes the auth token beside the engine options", async () => {
    const { url, authToken } = inject("libsql")
    const lines: string[] = []
    const engine = libsqlEngine(url, { authToken, echo: (line) => lines.push(line) })
    expect((await engine.execute(select(literal(1).label("one")))).scalar()).toBe(1)
    expect(lines.some((line) => line.includes("SELECT"))).toBe(true)
    await expect(libsqlEngine(url, { authToken: "wrong" }).execute(select(literal(1)))).rejects.toThrow()
  })

  it("neon: takes the driver settings beside the engine options", async () => {
    const endpoint = inject("neon")
    const engine = neonEngine(endpoint.connectionString, {
      fetchEndpoint: `${endpoint.httpUrl}/sql`,
      mode: "http",
    })
    expect((await engine.execute(select(literal(1).label("one")))).scalar()).toBe(1)
  })
})
