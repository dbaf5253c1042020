// Each driver entry's createEngine takes engine and driver options in one object, as the README
// shows: `createEngine(env.DATABASE_URL, { authToken: env.DATABASE_AUTH_TOKEN })`.
import { describe, expect, inject, it } from "vitest"
import { createEngine, literal, select } from "../../src/index.ts"
import { libsql, createEngine as libsqlEngine } from "../../src/libsql.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { neon, createEngine as neonEngine } from "../../src/neon.ts"

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

  it("names what serves a URL no driver takes, or how to write the URL", () => {
    const refused = (url: string, make = () => neonEngine(url)) => {
      try {
        make()
      } catch (error) {
        return (error as Error).message
      }
      return "accepted"
    }
    const neonOnly = (url: string) => () => createEngine(url, { driver: neon() })
    expect(refused("libsql://db.turso.io", neonOnly("libsql://db.turso.io"))).toBe(
      'No driver for libsql://db.turso.io (given: neon): import { createEngine } from "edgealchemy/libsql"',
    )
    const takes =
      "edgealchemy takes postgresql://user:password@host/db (Neon), libsql:// or https:// (Turso), file:path.db (Node)"
    expect(refused("postgresql+asyncpg://u:secret@h/db")).toBe(
      `No driver for postgresql+asyncpg://u:***@h/db (given: neon): ${takes}`,
    )
    expect(refused("mysql://u@h/db")).toContain(takes)
    expect(refused("")).toBe('No database URL (""): is its binding set?')
    const embedded = (url: string) => () => createEngine(url, { driver: libsqlEmbedded() })
    expect(refused("sqlite:///tmp/x.db", embedded("sqlite:///tmp/x.db"))).toContain(takes)
    expect(refused("file:x.db", () => createEngine("file:x.db", { driver: libsql() }))).toContain(
      'import { createEngine } from "edgealchemy/libsql-node" (Node only)',
    )
  })
})
