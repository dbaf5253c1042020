// `edgealchemy migrate init`, as Alembic's `alembic init`: it writes the README's config and the
// revisions folder in a new project, says what to do next, and never overwrites a config.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, expect, it } from "vitest"
import { main } from "../../cli/main.ts"

const folders: string[] = []
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

async function run(cwd: string, ...argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const io = { cwd, env: {}, out: (line: string) => out.push(line), err: (line: string) => err.push(line) }
  const code = await main(argv, io)
  return { code, out: out.join("\n"), err: err.join("\n") }
}

function project(manifest?: object): string {
  const dir = mkdtempSync(join(tmpdir(), "ea-init-"))
  folders.push(dir)
  if (manifest) writeFileSync(join(dir, "package.json"), JSON.stringify(manifest))
  return dir
}

it("writes the README's edgealchemy.config.ts and an empty migrations/ folder", async () => {
  const dir = project({ type: "module" })
  const { code, out } = await run(dir, "migrate", "init")
  expect(code).toBe(0)
  const readme = readFileSync(join(import.meta.dirname, "../../examples/edgealchemy.config.ts"), "utf8")
  expect(readFileSync(join(dir, "edgealchemy.config.ts"), "utf8")).toBe(readme)
  expect(existsSync(join(dir, "migrations"))).toBe(true)
  expect(out).toContain("npx edgealchemy migrate revision -m")
  expect(out).not.toContain('"type": "module"')
})

it("says that package.json needs type module when it has not", async () => {
  const { code, out } = await run(project({ name: "app" }), "migrate", "init")
  expect(code).toBe(0)
  expect(out).toContain('add "type": "module" to package.json')
})

it("refuses to overwrite a config, without loading it", async () => {
  const dir = project()
  writeFileSync(join(dir, "edgealchemy.config.json"), "not json: init must not read it")
  const { code, err } = await run(dir, "migrate", "init")
  expect(code).toBe(2)
  expect(err).toBe("edgealchemy.config.json exists already: init writes a new one only")
  expect(existsSync(join(dir, "edgealchemy.config.ts"))).toBe(false)
})
