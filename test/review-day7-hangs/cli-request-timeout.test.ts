// The migrate CLI against a database that no longer answers: `requestTimeoutMs` from the config ends
// the command with an error naming it, where it waited forever. Neon's options came from the config's
// `neon`; libSQL (libsql://, https://) had no way to be given any.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, expect, inject, it } from "vitest"
import { main } from "../../cli/main.ts"

const project = mkdtempSync(join(tmpdir(), "ea-d7h-cli-"))
afterAll(() => rmSync(project, { recursive: true, force: true }))
writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }))
const silent = inject("silent").url

async function run(url: string, config: object, ...argv: string[]) {
  writeFileSync(join(project, "edgealchemy.config.json"), JSON.stringify(config))
  const err: string[] = []
  const io = {
    cwd: project,
    env: { DATABASE_URL: url },
    out: () => {},
    err: (line: string) => err.push(line),
  }
  return { code: await main(["migrate", ...argv], io), err: err.join("\n") }
}

it("libSQL: 'migrate current' against a silent server fails after the config's requestTimeoutMs", async () => {
  const { code, err } = await run(
    `${silent}/`,
    { libsql: { requestTimeoutMs: 200, closeTimeoutMs: 100 } },
    "current",
  )
  expect(code).not.toBe(0)
  expect(err).toContain("requestTimeoutMs (200 ms)")
})

it("Neon: the same, with the config's neon settings", async () => {
  const { code, err } = await run(
    "postgresql://u:p@db.example/x",
    { neon: { fetchEndpoint: `${silent}/sql`, requestTimeoutMs: 200, closeTimeoutMs: 100 } },
    "current",
  )
  expect(code).not.toBe(0)
  expect(err).toContain("requestTimeoutMs (200 ms)")
})
