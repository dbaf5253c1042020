// `npx edgealchemy migrate upgrade` run from src/ of a project whose config is beside its package.json:
// no config in src/, so the defaults took src/migrations, and the newcomer was told "The database is at
// revision X, which none of the revisions has: restore its file, or stamp the database" (stamping would
// have been wrong), or got a new revision written into src/migrations. It now names the project's config.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, expect, it } from "vitest"
import { main } from "../../cli/main.ts"

const project = mkdtempSync(join(tmpdir(), "ea-nc6-sub-"))
const src = join(project, "src")
afterAll(() => rmSync(project, { recursive: true, force: true }))
writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }))
writeFileSync(join(project, "edgealchemy.config.json"), JSON.stringify({ models: "src/models.ts" }))
mkdirSync(join(project, "migrations"))
mkdirSync(src)

async function run(cwd: string, ...argv: string[]) {
  const err: string[] = []
  const io = {
    cwd,
    env: { DATABASE_URL: "file::memory:" },
    out: () => {},
    err: (line: string) => err.push(line),
  }
  return { code: await main(["migrate", ...argv], io), err }
}

it("names the project's config when run below it, and writes nothing there", async () => {
  const config = join(project, "edgealchemy.config.json")
  for (const argv of [["current"], ["revision", "-m", "x"]]) {
    const { code, err } = await run(src, ...argv)
    expect(code).toBe(2)
    expect(err).toEqual([
      `No edgealchemy config in ${src}; the project's is ${config}: run the command in ${project}, or pass --config ${config}`,
    ])
  }
  expect(existsSync(join(src, "migrations"))).toBe(false)
})

it("runs with that --config from below, and in a folder that is a project of its own", async () => {
  expect((await run(src, "current", "--config", join(project, "edgealchemy.config.json"))).code).toBe(0)
  const own = join(src, "own")
  mkdirSync(own)
  writeFileSync(join(own, "package.json"), "{}")
  expect(await run(own, "current")).toEqual({ code: 0, err: [] })
})
