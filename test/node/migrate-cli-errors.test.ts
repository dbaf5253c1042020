// What `edgealchemy migrate` says when it cannot reach the database: the error with what its causes add,
// and for a PostgreSQL URL with no endpoint configured, that a plain PostgreSQL needs neon-local in front
// (the driver otherwise asks Neon's own host: https://api.0.0.1/sql for 127.0.0.1).
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, expect, it } from "vitest"
import { main } from "../../cli/main.ts"

const project = mkdtempSync(join(tmpdir(), "ea-cli-errors-"))
afterAll(() => rmSync(project, { recursive: true, force: true }))

async function current(url: string) {
  const err: string[] = []
  const io = {
    cwd: project,
    env: { DATABASE_URL: url },
    out: () => {},
    err: (line: string) => err.push(line),
  }
  const code = await main(["migrate", "current"], io)
  return { code, err }
}

it("names the cause of a connection error (fetch refuses port 1 as a bad port)", async () => {
  const { code, err } = await current("http://127.0.0.1:1")
  expect(code).toBe(1)
  expect(err).toEqual(["error: fetch failed: bad port"])
})

it("tells how to reach a plain PostgreSQL: neon-local in front, its endpoint in the config", async () => {
  const { code, err } = await current("postgresql://postgres@127.0.0.1:5432/app")
  expect(code).toBe(1)
  expect(err[0]).toMatch(/^error: .*https:\/\/api\.0\.0\.1\/sql/)
  expect(err[1]).toContain("run `npx edgealchemy neon-local` in front of it")
  expect(err[1]).toContain('neon: { fetchEndpoint: "http://127.0.0.1:4444/sql" }')
})
