#!/usr/bin/env node
// `npx edgealchemy migrate ...`, and the local endpoints `npx edgealchemy libsql-local ...` and
// `npx edgealchemy neon-local ...`. The project's config, models and revisions, and the endpoints, are
// TypeScript, which Node 20 cannot run by itself: tsx's ESM loader (`tsx/esm/api`) is registered in this
// process before anything else loads, so they load through plain `import()` (no child process). A
// project that runs the CLI therefore needs tsx (`npm i -D tsx`).
//
// One module graph: the CLI must use the very modules the project's models import, or a model's
// column types are not the ones the CLI tests for. Installed, the CLI is the built `dist/cli/` and
// imports the package's own entry points (`edgealchemy/migrate`), which resolve to `dist/` exactly as
// the project's `import ... from "edgealchemy"` does. In a checkout of this repository, where the
// blog's models import `src/`, the CLI runs from its sources instead, and `source-conditions.mjs`
// points those same entry points at `src/` (the `edgealchemy-source` condition of package.json).
import { existsSync } from "node:fs"
import { createRequire, register } from "node:module"
import { fileURLToPath } from "node:url"

/** The local endpoints the package ships (tools/), and the packages each needs besides tsx. */
const ENDPOINTS = {
  "libsql-local": { packages: ["libsql/promise"], install: "npm i -D @libsql/client (it brings libsql)" },
  "neon-local": { packages: ["pg", "ws"], install: "npm i -D pg ws" },
}

// `migrate sql | head` closes the pipe early: that is the reader's choice, not an error to report.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0)
  throw error
})

const tsx = await import("tsx/esm/api").catch(() => undefined)
if (!tsx) {
  process.stderr.write(
    "edgealchemy loads TypeScript (migrate: its config, models and revisions; the local endpoints) through tsx: npm i -D tsx\n",
  )
  process.exit(2)
}
tsx.register()

const endpoint = ENDPOINTS[process.argv[2]]
if (endpoint) {
  // The endpoint's own command line reads process.argv as if it had been run by itself.
  const [name] = process.argv.splice(2, 1)
  // Told before it starts: libsql-local would find its database driver missing only in a worker thread.
  const missing = endpoint.packages.filter((specifier) => !resolvable(specifier))
  if (missing.length > 0) {
    const packages = missing.map((specifier) => specifier.split("/")[0]).join(" and ")
    process.stderr.write(`edgealchemy ${name} needs ${packages}: ${endpoint.install}\n`)
    process.exit(2)
  }
  await import(`../tools/${name}/cli.ts`)
} else {
  const checkout = existsSync(fileURLToPath(new URL("./main.ts", import.meta.url)))
  if (checkout) register("./source-conditions.mjs", import.meta.url)
  const { main } = checkout ? await import("./main.ts") : await import("../dist/cli/main.js")
  process.exitCode = await main(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  })
}

function resolvable(specifier) {
  try {
    createRequire(import.meta.url).resolve(specifier)
    return true
  } catch {
    return false
  }
}
