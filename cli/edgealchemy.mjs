#!/usr/bin/env node
// `npx edgealchemy migrate ...`. The project's config, models and revisions are TypeScript, which
// Node 20 cannot run by itself: tsx's ESM loader (`tsx/esm/api`) is registered in this process before
// anything else loads, so they load through plain `import()` (no child process). A project that runs
// the CLI therefore needs tsx (`npm i -D tsx`).
//
// One module graph: the CLI must use the very modules the project's models import, or a model's
// column types are not the ones the CLI tests for. Installed, the CLI is the built `dist/cli/` and
// imports the package's own entry points (`edgealchemy/migrate`), which resolve to `dist/` exactly as
// the project's `import ... from "edgealchemy"` does. In a checkout of this repository, where the
// blog's models import `src/`, the CLI runs from its sources instead, and `source-conditions.mjs`
// points those same entry points at `src/` (the `edgealchemy-source` condition of package.json).
import { existsSync } from "node:fs"
import { register } from "node:module"
import { fileURLToPath } from "node:url"

const tsx = await import("tsx/esm/api").catch(() => undefined)
if (!tsx) {
  process.stderr.write(
    "edgealchemy migrate loads TypeScript (its config, models and revisions) through tsx: npm i -D tsx\n",
  )
  process.exit(2)
}
tsx.register()
const checkout = existsSync(fileURLToPath(new URL("./main.ts", import.meta.url)))
if (checkout) register("./source-conditions.mjs", import.meta.url)
const { main } = checkout ? await import("./main.ts") : await import("../dist/cli/main.js")
process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
})
