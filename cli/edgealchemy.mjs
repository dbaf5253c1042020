#!/usr/bin/env node
// `npx edgealchemy migrate ...`. The CLI, the project's config and its revisions are TypeScript, and
// Node 20 cannot run TypeScript by itself. Decision: register tsx's ESM loader (`tsx/esm/api`) in
// this process before importing anything else, so that the CLI source, `edgealchemy.config.ts`, the
// models module and every revision file load through plain `import()`; no build step, no child
// process, and the same module graph for models and CLI (one MetaData class). A project that runs
// the CLI therefore needs tsx installed (`npm i -D tsx`; it is a devDependency here). The package
// ships cli/ and src/ for it.
const tsx = await import("tsx/esm/api").catch(() => undefined)
if (!tsx) {
  process.stderr.write(
    "edgealchemy migrate loads TypeScript (its config, models and revisions) through tsx: npm i -D tsx\n",
  )
  process.exit(2)
}
tsx.register()
const { main } = await import("./main.ts")
process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
})
