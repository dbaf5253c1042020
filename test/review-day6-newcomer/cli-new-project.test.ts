// A new project as `migrate init` leaves it: the config names src/models.ts, which the newcomer has not
// written yet. `migrate check` and `revision --autogenerate` printed Node's ERR_MODULE_NOT_FOUND with a
// stack of tsx's and Node's resolver frames; they now name the config's setting and what to do (exit 2,
// a usage error). A module the models import that is missing stays the models' own error.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { COMMAND_LIMIT_MS, runCli } from "../node/cli-process.ts"

const ROOT = resolve(import.meta.dirname, "../..")
const dir = mkdtempSync(join(tmpdir(), "ea-nc6-new-"))
const project = {
  bin: join(ROOT, "cli/edgealchemy.mjs"),
  dir,
  env: { ...process.env, DATABASE_URL: "file:app.db" },
}

beforeAll(() => {
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }))
  // What init writes, as JSON: a temporary folder cannot import edgealchemy/migrate.
  writeFileSync(join(dir, "edgealchemy.config.json"), JSON.stringify({ models: "src/models.ts" }))
  mkdirSync(join(dir, "migrations"))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Each command has its own limit (runCli's, which stops a hung one readably): a test gives each its limit. */
const limitFor = (commands: number) => commands * COMMAND_LIMIT_MS + 10_000

it("check and revision --autogenerate name the config's missing models module", {
  timeout: limitFor(2),
}, async () => {
  const path = join(dir, "src/models.ts")
  for (const args of [["check"], ["revision", "-m", "first tables", "--autogenerate"]]) {
    const run = await runCli(project, ...args)
    expect(run.code).toBe(2)
    expect(run.stderr.trim()).toBe(
      `The config's models module src/models.ts does not exist (${path}): write it, or point \`models\` at the module that exports your models' metadata`,
    )
  }
})

it("leaves a module the models import that is missing as Node says it", {
  timeout: limitFor(1),
}, async () => {
  mkdirSync(join(dir, "src"), { recursive: true })
  writeFileSync(join(dir, "src/models.ts"), 'import "./other.ts"\nexport const x = 1\n')
  const run = await runCli(project, "check")
  expect(run.code).toBe(1)
  expect(run.stderr).toContain(`Cannot find module '${join(dir, "src/other.ts")}'`)
})
