// Vitest global setup, run once for both projects: a fresh PostgreSQL database behind neon-local (with a
// password of its own, and in its default mode), a temporary libSQL file behind libsql-local, all on
// ephemeral ports, handed to tests with `provide`.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { startNeonLocal } from "../../tools/neon-local/index.ts"
import { createScratchDatabase, pgUrl, reachPostgres } from "./postgres.ts"
import { startSilentServer } from "./silent-server.ts"
import "./provided.ts"

const NEON_PASSWORD = "edgealchemy-test"
const LIBSQL_TOKEN = "edgealchemy-test-token"

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = pgUrl()
  await reachPostgres(serverUrl)
  const database = await createScratchDatabase(serverUrl)
  const neon = await startNeonLocal({ upstream: database.url, port: 0, password: NEON_PASSWORD })
  // The default mode, as `npm run neon-local` and `npm run dev:neon` run it: the password is the upstream's.
  const neonDefault = await startNeonLocal({ upstream: database.url, port: 0 })
  const libsql = await startLibsqlLocal({ port: 0, authToken: LIBSQL_TOKEN })
  const libsqlShortExpiry = await startLibsqlLocal({ port: 0, authToken: LIBSQL_TOKEN, streamExpiryMs: 200 })
  const silent = await startSilentServer()
  const packDir = mkdtempSync(join(tmpdir(), "ea-pack-"))

  const connection = new URL(database.url)
  connection.password = NEON_PASSWORD
  project.provide("neon", {
    connectionString: connection.toString(),
    password: NEON_PASSWORD,
    httpUrl: neon.url,
  })
  project.provide("neonDefault", {
    connectionString: database.url,
    password: decodeURIComponent(new URL(database.url).password),
    httpUrl: neonDefault.url,
  })
  project.provide("libsql", { url: libsql.url, authToken: LIBSQL_TOKEN })
  project.provide("libsqlShortExpiry", { url: libsqlShortExpiry.url, authToken: LIBSQL_TOKEN })
  project.provide("silent", { url: silent.url })
  project.provide("packDir", packDir)

  return async () => {
    await Promise.all([
      neon.stop(),
      neonDefault.stop(),
      libsql.stop(),
      libsqlShortExpiry.stop(),
      silent.stop(),
    ])
    await database.drop()
    rmSync(packDir, { recursive: true, force: true })
  }
}
