// `migrate revision --autogenerate` and `migrate check` list the operations a revision would run; what
// autogenerate asks the reviewer to check (a table dropped with its rows, a column that may be a rename,
// NOT NULL over rows holding NULL) was only in the written file, so a developer reading the terminal
// saw "- table legacy_notes" and nothing of the rows going with it. Each such warning is now printed
// under its operations. Run in-process (cli/main.ts), on libSQL HTTP.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { main } from "../../cli/main.ts"
import { text } from "../../src/index.ts"
import {
  libsqlToken,
  type MigrationDatabases,
  migrationDatabases,
  type Target,
} from "../migrate/databases.ts"

const ROOT = resolve(import.meta.dirname, "../..")
let databases: MigrationDatabases
const project = mkdtempSync(join(tmpdir(), "ea-cli-warnings-"))
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(async () => {
  await databases.stop()
  rmSync(project, { recursive: true, force: true })
})

it("prints autogenerate's warnings under the operations they are about", async () => {
  const target = databases.targets.find((t) => t.name === "libsql-http") as Target
  await target.engine().execute(text("CREATE TABLE r6w_legacy_notes (id INTEGER PRIMARY KEY, body TEXT)"))
  writeFileSync(
    join(project, "edgealchemy.config.json"),
    JSON.stringify({
      migrations: "migrations",
      models: join(ROOT, "test/migrate/blog-models.ts"),
      importFrom: join(ROOT, "src/migrate.ts"),
    }),
  )
  const run = async (...argv: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const env = { DATABASE_URL: target.url, DATABASE_AUTH_TOKEN: libsqlToken }
    const code = await main(["migrate", ...argv], {
      cwd: project,
      env,
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    })
    return { code, out, err }
  }
  const warning =
    '    check: Table "r6w_legacy_notes" is not in the models: check that dropping it (and its rows) is intended; ' +
    "if it was renamed to users or posts or tags or post_tags or comments or audit_log, use op.renameTable instead"

  const check = await run("check")
  expect(check.code, check.err.join("\n")).toBe(1)
  expect(check.out).toContain("  - table r6w_legacy_notes")
  expect(check.out[check.out.indexOf("  - table r6w_legacy_notes") + 1]).toBe(warning)

  const created = await run("revision", "-m", "blog", "--autogenerate")
  expect(created.code, created.err.join("\n")).toBe(0)
  expect(created.out[created.out.indexOf("  - table r6w_legacy_notes") + 1]).toBe(warning)
  // The same words are in the file, above the operation.
  const [file] = readdirSync(join(project, "migrations"))
  expect(readFileSync(join(project, "migrations", file as string), "utf8")).toContain(
    '// CHECK: Table "r6w_legacy_notes" is not in the models',
  )
})
