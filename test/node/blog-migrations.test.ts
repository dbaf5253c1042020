// The blog's revisions (migrations/) against its models (worker/models/): every revision file is in
// the static list the worker applies, and applying them gives exactly the schema the models describe,
// on both databases, checked by the CLI's own `check` as a deployer runs it.
import { execFile } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, inject, it } from "vitest"
import { revisionFiles } from "../../cli/revisions-folder.ts"
import { revisions } from "../../migrations/index.ts"
import { createEngine } from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { neon } from "../../src/neon.ts"
import { ensureSchema } from "../../worker/schema.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"

const ROOT = resolve(import.meta.dirname, "../..")
const scratch = mkdtempSync(join(tmpdir(), "ea-blog-migrations-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** `edgealchemy migrate check` on the repository's migrations and blog models, as a deployer runs it. */
function check(url: string, neonSettings?: object): Promise<{ code: number; output: string }> {
  const config = join(scratch, `config-${Date.now().toString(36)}.json`)
  const migrations = join(ROOT, "migrations")
  const models = join(ROOT, "worker/models/index.ts")
  writeFileSync(
    config,
    JSON.stringify({ migrations, models, ...(neonSettings ? { neon: neonSettings } : {}) }),
  )
  const args = [join(ROOT, "cli/edgealchemy.mjs"), "migrate", "check", "--config", config]
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    )
  })
}

describe("the blog's migrations", () => {
  it("lists every revision file of migrations/ for the worker", async () => {
    const listed = (await revisions.load()).map((revision) => revision.id)
    const files = revisionFiles(join(ROOT, "migrations")).map((file) => file.slice(0, file.indexOf("_")))
    expect(listed.sort()).toEqual(files.sort())
    expect(readdirSync(join(ROOT, "migrations"))).toContain("index.ts")
  })

  it("build the models' schema on SQLite: check finds nothing to change", async () => {
    const url = `file:${join(scratch, "blog.db")}`
    await ensureSchema(createEngine(url, { driver: libsqlEmbedded() }))
    const { code, output } = await check(url)
    expect(output).not.toMatch(/^\s*[+~-] /m)
    expect(code).toBe(0)
  })

  // A database of its own (neon-local routes by database name): check compares every table there with
  // the models, and the shared database holds other files' tables while they run beside this one.
  it("build the models' schema on PostgreSQL: check finds nothing to change", async () => {
    const endpoint = inject("neon")
    const database = await createScratchDatabase(pgUrl())
    const connectionString = new URL(endpoint.connectionString)
    connectionString.pathname = new URL(database.url).pathname
    const scope = `blog-migrations-${Date.now().toString(36)}`
    const fetchEndpoint = `${endpoint.httpUrl}/s/${scope}/sql`
    const engine = createEngine(connectionString.toString(), {
      driver: neon({ fetchEndpoint, mode: "http" }),
    })
    try {
      await ensureSchema(engine)
      const { code, output } = await check(connectionString.toString(), { fetchEndpoint, mode: "http" })
      expect(output).not.toMatch(/^\s*[+~-] /m)
      expect(code).toBe(0)
    } finally {
      try {
        await new (await import("../../src/migrate.ts")).Migrator(engine, { revisions }).downgrade("base")
      } finally {
        await database.drop()
      }
    }
  })
})
