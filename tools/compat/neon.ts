// The @neondatabase/serverless suite (its HTTP and HTTP-transaction tests, which also compare with the
// WebSocket mode) against neon-local with a password, as Neon URLs always carry one, on a scratch
// database of its own, with the published driver pinned in package-lock.json. A setup file points the
// driver at neon-local, as an app configures it.
import { fileURLToPath } from "node:url"
import { createScratchDatabase, pgUrl } from "../../test/setup/postgres.ts"
import { startNeonLocal } from "../neon-local/index.ts"
import type { SuiteRun } from "./suite-run.ts"
import { SUITES, suitePath } from "./suites.ts"

const PASSWORD = "compat-password"

export async function neonRun(): Promise<SuiteRun> {
  const suite = SUITES.find((candidate) => candidate.name === "neon")
  if (!suite) throw new Error("the neon suite is not declared")
  const database = await createScratchDatabase(pgUrl())
  const local = await startNeonLocal({ upstream: database.url, port: 0, password: PASSWORD })
  const url = new URL(database.url)
  url.password = PASSWORD
  // A host name, as Neon's are: the suite's "wrong project" test prefixes it with "x", which an IPv4
  // address would not survive as a URL. neon-local serves both names of a loopback upstream.
  if (url.hostname === "127.0.0.1") url.hostname = "localhost"
  const shim = (file: string) => fileURLToPath(new URL(`./shims/${file}`, import.meta.url))
  return {
    root: suitePath(suite),
    include: suite.tests,
    env: {
      VITE_NEON_DB_URL: url.toString(),
      NEON_LOCAL_FETCH_ENDPOINT: local.fetchEndpoint(),
      NEON_LOCAL_WS_PROXY: local.wsProxy(),
    },
    alias: [{ find: /^node-fetch$/, replacement: shim("node-fetch.ts") }],
    setupFiles: [shim("neon-local-config.ts")],
    stop: async () => {
      await local.stop()
      await database.drop()
    },
  }
}
