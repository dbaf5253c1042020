// Migrating from a worker: the revisions are imported statically and bundled with the worker for the
// web (no `node:` module, no filesystem); the bundle then runs its migrations against libsql-local.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { build } from "esbuild"
import { afterAll, beforeAll, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"

const ENTRY = resolve(import.meta.dirname, "../migrate/worker-entry.ts")
const TOKEN = "worker-token"
let server: LibsqlLocal
const outDir = mkdtempSync(join(tmpdir(), "ea-migrate-worker-"))

beforeAll(async () => {
  server = await startLibsqlLocal({ port: 0, authToken: TOKEN })
})
afterAll(async () => {
  await server.stop()
  rmSync(outDir, { recursive: true, force: true })
})

it("bundles the migrator and its revisions for the web, then upgrades from the bundle", async () => {
  const bundle = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    write: false,
    logLevel: "silent",
  })
  const code = bundle.outputFiles[0]?.text ?? ""
  expect(code).not.toMatch(/from\s*["']node:|require\(["'](node:)?(fs|path)["']\)/)
  const file = join(outDir, "worker.mjs")
  writeFileSync(file, code)

  const worker = (await import(pathToFileURL(file).href)) as {
    default: { fetch(request: Request, env: Record<string, string>): Promise<Response> }
  }
  const env = { DATABASE_URL: server.url, DATABASE_AUTH_TOKEN: TOKEN }
  const first = await worker.default.fetch(new Request("http://worker/migrate"), env)
  expect(await first.json()).toEqual(["upgrade a1b2c3d4e5f6 notes", "upgrade b2c3d4e5f6a7 pinned notes"])
  const again = await worker.default.fetch(new Request("http://worker/migrate"), env)
  expect(await again.json()).toEqual([])
})
