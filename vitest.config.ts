import { availableParallelism } from "node:os"
import { cloudflareTest } from "@cloudflare/vitest-pool-workers"
import { defaultServerConditions } from "vite"
import { defineConfig } from "vitest/config"
import LongestFirst from "./test/setup/sequencer.ts"

// Wrangler and Miniflare would try to phone home on every start; these machines have no internet.
process.env.WRANGLER_SEND_METRICS ??= "false"
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false"

// Limits of one test and one hook. Each project says them: a project's inline config does not inherit
// the root's, and the node project ran under Vitest's 5 s default (npm pack timed out under load).
const TIMEOUTS = { testTimeout: 20_000, hookTimeout: 30_000 }

// Files at once. Vitest's default is one less than the cores, which on a 2-core machine (CI) is one file
// at a time: the suite then waited on every sleep, timeout, child process and round trip in turn, with
// one core idle (529-553 s for 164 files). Four at the least, twice such a machine's cores, as many
// files spend much of their time waiting (test/reliability and test/limits-fixed, 22 files: 115 s one
// at a time, 70-103 s two at a time, 60-78 s three at a time; the whole suite of 442 files, on a
// machine shared with another job: 623 s three at a time, 557 s four at a time, the CPU 133% -> 151%
// busy); as many as the cores where there are more.
const MAX_WORKERS = Math.max(4, availableParallelism())

/** Files that replace a module of the library (vi.mock): they need a module graph of their own. */
const OWN_MODULE_GRAPH = ["test/review-day6-lead/merge-cost.test.ts"]

const NODE_SSR = { resolve: { conditions: ["edgealchemy-source", ...defaultServerConditions] } }

// Projects over one global setup: `node` runs tests in Node (the embedded driver, the tools),
// `node-isolated` the few that need a module graph of their own, `workers` runs tests inside workerd,
// as a deployed Worker would run the library.
export default defineConfig({
  test: {
    globalSetup: ["test/setup/global.ts"],
    maxWorkers: MAX_WORKERS,
    sequence: { sequencer: LongestFirst },
    ...TIMEOUTS,
    projects: [
      {
        ssr: NODE_SSR,
        test: {
          name: "node",
          ...TIMEOUTS,
          include: ["test/**/*.test.ts"],
          exclude: ["test/workers/**", ...OWN_MODULE_GRAPH],
          environment: "node",
          setupFiles: ["test/setup/driver-defaults.ts"],
          // Files of one worker share its module graph: each file imported the library, the drivers
          // and the stand-ins afresh, about a second of CPU per file (over 400 files: a third of the
          // suite's time on a 2-core machine). Tests keep no state in modules: each makes its own
          // registry, engine and database, and restores what it patches (console, fetch, TZ, timers);
          // the Neon driver's global settings are put back before each file (driver-defaults.ts).
          isolate: false,
        },
      },
      {
        ssr: NODE_SSR,
        test: {
          name: "node-isolated",
          ...TIMEOUTS,
          include: OWN_MODULE_GRAPH,
          environment: "node",
        },
      },
      {
        plugins: [
          cloudflareTest({
            miniflare: {
              compatibilityDate: "2026-04-01",
              cf: false,
            },
          }),
        ],
        test: {
          name: "workers",
          ...TIMEOUTS,
          include: ["test/workers/**/*.test.ts"],
          // The blog suite's own libSQL endpoint (a fresh file per run), beside the shared setup.
          globalSetup: ["test/blog/global-setup.ts"],
        },
      },
    ],
  },
})
