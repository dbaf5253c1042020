// `npx tsx tools/bench/bundled.ts tools/bench/engine-overhead.ts [args]`: runs a benchmark as users run
// the library: compiled by esbuild (no minification, no `keepNames`), as a bundler makes of the
// package, not by tsx. tsx compiles with `keepNames`, which names functions with `__name(fn, "name")`
// calls that run again whenever a closure is made: a cost no user pays, and one that the prebuilt
// contenders (the drivers, Drizzle) never see. Packages stay external, loaded as they are published.
// `npm run bench:cpu`, `bench:get-anatomy`, `bench:graph` and `bench:flush` run this way; `npx tsx tools/bench/<name>.ts`
// runs the same benchmark from source (and `npm run bench:profile`, whose report names our files, does).
import { spawnSync } from "node:child_process"
import { copyFileSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { BenchmarkError } from "./support/benchmark-error.ts"

const ROOT = fileURLToPath(new URL("../../", import.meta.url))

const [entry, ...args] = process.argv.slice(2)
if (!entry?.endsWith(".ts")) throw new BenchmarkError("usage: bundled.ts tools/bench/<name>.ts [args]")
// Inside the repository, so that the external packages resolve from its node_modules.
const outfile = join(ROOT, "node_modules/.cache/edgealchemy-bench", `${basename(entry, ".ts")}.mjs`)
await build({
  entryPoints: [entry],
  bundle: true,
  packages: "external",
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  outfile,
  logLevel: "warning",
})
// libsql-local runs each connection on a worker thread loaded from a file beside its module: the bundle
// needs its own copy.
copyFileSync(
  join(ROOT, "tools/libsql-local/connection-worker.cjs"),
  join(dirname(outfile), "connection-worker.cjs"),
)
const run = spawnSync(process.execPath, ["--enable-source-maps", outfile, ...args], { stdio: "inherit" })
process.exit(run.status ?? 1)
