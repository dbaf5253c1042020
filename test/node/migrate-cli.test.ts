// The command as a user runs it, against PostgreSQL through neon-local and libSQL through libsql-local:
// its output lines and exit codes. The flows run each step in this process, through the bin's own entry
// (cli/main.ts's main, with the project folder and environment given to it); one upgrade runs through
// the bin itself (`node cli/edgealchemy.mjs migrate ...`, what the package's bin points at), in a child
// process. Each test has databases of its own (a new PostgreSQL database, a libsql-local on a new file)
// and a project folder of its own (so its config and revision files are modules no other test imported):
// no test sees another's state.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, inject, it } from "vitest"
import { revisionExtension, revisionFileName, revisionFiles } from "../../cli/revisions-folder.ts"
import { libsqlToken, migrationDatabases, type TargetName } from "../migrate/databases.ts"
import { type CliProject, COMMAND_LIMIT_MS, runCliInProcess as cli, runCli } from "./cli-process.ts"

const ROOT = resolve(import.meta.dirname, "../..")
const CLI = join(ROOT, "cli/edgealchemy.mjs")
const folders: string[] = []
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
})

/**
 * A flow runs up to 20 commands one after another, each reported by its own limit if it hangs; the
 * flow's limit gives every one of them that limit, so it only catches a hang outside the commands (the
 * databases' setup and stop). (When each command was a child process, about 0.9-1.3 s of CPU for node,
 * tsx and the TypeScript sources, the 17-command flow took 70-210 s at a load of 15-19 on 2 cores.)
 */
const FLOW_LIMIT_MS = 20 * COMMAND_LIMIT_MS

/**
 * Runs `use` in a project folder whose config names the test's blog models and this checkout's
 * migrate entry, on fresh databases dropped afterwards.
 */
async function withProject(name: TargetName, use: (project: CliProject) => Promise<void>): Promise<void> {
  const databases = await migrationDatabases()
  try {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const dir = mkdtempSync(join(tmpdir(), `ea-cli-${name}-`))
    folders.push(dir)
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }))
    writeFileSync(
      join(dir, "edgealchemy.config.ts"),
      `export default ${JSON.stringify(
        {
          migrations: "migrations",
          models: join(ROOT, "test/migrate/blog-models.ts"),
          importFrom: join(ROOT, "src/migrate.ts"),
          neon: { fetchEndpoint: `${inject("neon").httpUrl}/s/cli/sql`, mode: "http" },
        },
        null,
        2,
      )}\n`,
    )
    const env = { ...process.env, DATABASE_URL: target.url, DATABASE_AUTH_TOKEN: libsqlToken }
    await use({ bin: CLI, dir, env })
  } finally {
    await databases.stop()
  }
}

describe("the revisions folder", () => {
  it("lists revision files by name, and refuses a revision whose file name would leave it unapplied", () => {
    const dir = mkdtempSync(join(tmpdir(), "ea-revisions-"))
    folders.push(dir)
    writeFileSync(join(dir, "0ca22f918c2f_first.ts"), "export default defineRevision({})\n")
    writeFileSync(join(dir, "helpers.ts"), "export const shared = 1\n")
    writeFileSync(join(dir, "notes.md"), "defineRevision( in prose\n")
    expect(revisionFiles(dir)).toEqual(["0ca22f918c2f_first.ts"])
    writeFileSync(join(dir, "user_bio.ts"), "export default defineRevision({ id: '3f9a2c1b7d4e' })\n")
    expect(() => revisionFiles(dir)).toThrow(
      `${join(dir, "user_bio.ts")} defines a revision, but revision files are named by their id`,
    )
  })
})

describe.concurrent.each(["neon-http", "libsql-http"] satisfies TargetName[])(
  "edgealchemy migrate on %s",
  (name) => {
    it("autogenerates, upgrades, checks, reports a failing revision, prints SQL and downgrades", {
      timeout: FLOW_LIMIT_MS,
    }, async () => {
      await withProject(name, async (where) => {
        const before = await cli(where, "check")
        expect(before.code).toBe(1)
        expect(before.stdout).toContain("The database differs from the models")
        expect(before.stdout).toContain("+ table users")

        const created = await cli(where, "revision", "-m", "blog tables", "--autogenerate")
        expect(created.code, created.stderr).toBe(0)
        expect(created.stdout).toMatch(/^Created migrations\/[0-9a-f]{12}_blog_tables\.ts$/m)
        const [file] = readdirSync(join(where.dir, "migrations"))
        const id = file?.slice(0, 12) as string

        const behind = await cli(where, "check")
        expect(behind.code).toBe(1)
        expect(behind.stdout).toContain(`The database is behind: 1 revision(s) not applied (${id})`)

        const upgraded = await cli(where, "upgrade")
        expect(upgraded.code, upgraded.stderr).toBe(0)
        expect(upgraded.stdout).toMatch(
          new RegExp(`^upgrade\\s+${id}  blog tables  \\(\\d+ statements, \\d+ ms\\)$`, "m"),
        )
        expect(upgraded.stdout).toContain(`Database at ${id} blog tables (head)`)

        const clean = await cli(where, "check")
        expect(clean.code).toBe(0)
        expect(clean.stdout.trim()).toBe("No changes: the database matches the models")

        // A revision whose last statement fails: the error names it, and nothing of it stays.
        const broken = await cli(where, "revision", "-m", "broken")
        expect(broken.code).toBe(0)
        const brokenFile = readdirSync(join(where.dir, "migrations")).find((f) =>
          f.endsWith("_broken.ts"),
        ) as string
        const brokenPath = join(where.dir, "migrations", brokenFile)
        writeFileSync(
          brokenPath,
          readFileSync(brokenPath, "utf8")
            .replace(
              "upgrade() {},",
              `upgrade(op) {
    op.addColumn("users", { name: "nickname", type: Text, nullable: true })
    op.execute("INSERT INTO no_such_table (id) VALUES (1)")
  },`,
            )
            .replace("import { defineRevision }", "import { defineRevision, Text }"),
        )
        const failed = await cli(where, "upgrade")
        expect(failed.code).toBe(1)
        expect(failed.stderr).toContain(
          `error: Upgrade to ${brokenFile.slice(0, 12)} failed and was rolled back`,
        )
        expect(failed.stderr).toContain("in: INSERT INTO no_such_table (id) VALUES (1)")
        expect((await cli(where, "current")).stdout.trim()).toBe(`${id} blog tables`)
        const behindBroken = await cli(where, "check")
        expect(behindBroken.code).toBe(1)
        expect(behindBroken.stdout).toContain("The database is behind")
        rmSync(brokenPath)
        expect((await cli(where, "check")).code).toBe(0)

        const sql = await cli(where, "sql")
        expect(sql.code).toBe(0)
        expect(sql.stdout).toContain(`-- upgrade ${id}: blog tables`)
        expect(sql.stdout).toMatch(/^CREATE TABLE "?users"? \("?id"? INTEGER .*PRIMARY KEY/m)

        const history = await cli(where, "history")
        expect(history.stdout.trim()).toBe(`<base> -> ${id} (head)  blog tables`)

        const down = await cli(where, "downgrade", "base")
        expect(down.code, down.stderr).toBe(0)
        expect(down.stdout).toMatch(
          new RegExp(`^downgrade ${id}  blog tables  \\(\\d+ statements, \\d+ ms\\)$`, "m"),
        )
        expect(down.stdout).toContain("Database at base (no revision applied)")

        const stamped = await cli(where, "stamp", "head")
        expect(stamped.stdout).toContain(`Stamped: database at ${id} blog tables (head)`)
        expect((await cli(where, "check")).code).toBe(1)
        expect((await cli(where, "downgrade")).code).toBe(2)
        expect((await cli(where, "stamp", "base")).code).toBe(0)
      })
    })
  },
)

it("writes revisions as .mts outside an ESM package, where Node would load .ts as CommonJS", () => {
  const esm = mkdtempSync(join(tmpdir(), "ea-cli-esm-"))
  const commonjs = mkdtempSync(join(tmpdir(), "ea-cli-cjs-"))
  folders.push(esm, commonjs)
  writeFileSync(join(esm, "package.json"), JSON.stringify({ type: "module" }))
  writeFileSync(join(commonjs, "package.json"), JSON.stringify({ name: "app" }))
  expect(revisionExtension(join(esm, "migrations"))).toBe(".ts")
  expect(revisionExtension(join(commonjs, "migrations"))).toBe(".mts")
  expect(revisionFileName("0123456789ab", "Add user's bio!", ".mts")).toBe("0123456789ab_add_user_s_bio.mts")
})

// A relative file: URL names a file in the folder the command runs in: main's cwd, which the embedded
// driver would not see (it resolves against the process's own folder, this checkout here). The folder's
// name has a space and a '%', which the driver's URL parser would decode.
it("opens a relative file: URL in the project folder it is given", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ea-cli-file-"))
  folders.push(dir)
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }))
  writeFileSync(
    join(dir, "edgealchemy.config.json"),
    JSON.stringify({ importFrom: join(ROOT, "src/migrate.ts") }),
  )
  mkdirSync(join(dir, "data 100%"))
  const where = { dir, env: { DATABASE_URL: "file:data 100%25/app.db" } }
  const created = await cli(where, "revision", "-m", "first")
  expect(created.code, created.stderr).toBe(0)
  const id = (readdirSync(join(dir, "migrations"))[0] as string).slice(0, 12)
  const upgraded = await cli(where, "upgrade")
  expect(upgraded.code, upgraded.stderr).toBe(0)
  expect(upgraded.stdout).toContain(`Database at ${id} first (head)`)
  expect(existsSync(join(ROOT, "data 100%"))).toBe(false)
  const file = join(dir, "data 100%/app.db")
  const absolute = { dir, env: { DATABASE_URL: `file:${file.replaceAll("%", "%25")}` } }
  expect((await cli(absolute, "current")).stdout).toBe(`${id} first (head)\n`)
})

// Deployers reach the database over HTTP, as here through both stand-ins. The two runs are two main()s
// of this process, each with its own engine: the migrator keeps no lock in the process, so they meet
// only in the database (its version table's lock), as two deployers' processes do. (Two processes on
// one embedded file are not covered: the embedded driver can leave a transaction open after SQLite
// refuses its COMMIT while the other process reads, which no retry from here can undo.)
describe.concurrent.each(["neon-http", "libsql-http"] satisfies TargetName[])(
  "two deployers at once on %s",
  (name) => {
    it("both succeed and the revision is applied once", { timeout: FLOW_LIMIT_MS }, async () => {
      await withProject(name, async (where) => {
        const created = await cli(where, "revision", "-m", "blog tables", "--autogenerate")
        expect(created.code, created.stderr).toBe(0)
        const runs = await Promise.all([cli(where, "upgrade"), cli(where, "upgrade")])
        expect(
          runs.map((run) => run.code),
          runs.map((run) => run.stderr).join("\n"),
        ).toEqual([0, 0])
        const applied = runs.flatMap((run) =>
          run.stdout.split("\n").filter((line) => line.startsWith("upgrade ")),
        )
        expect(applied).toHaveLength(1)
        expect((await cli(where, "check")).code).toBe(0)
        expect((await cli(where, "downgrade", "base")).code).toBe(0)
      })
    })
  },
)

// The bin itself, in a child process as a user runs it: tsx registered, the project's TypeScript config
// and revision loaded through it, the URL and the libSQL token read from the process's environment, the
// lines on its stdout and the exit code its own (the steps around it run in this process).
it("upgrades through the bin, cli/edgealchemy.mjs, in a process of its own", {
  timeout: 3 * COMMAND_LIMIT_MS,
}, async () => {
  await withProject("libsql-http", async (where) => {
    const created = await cli(where, "revision", "-m", "blog tables", "--autogenerate")
    expect(created.code, created.stderr).toBe(0)
    const [file] = readdirSync(join(where.dir, "migrations"))
    const id = file?.slice(0, 12) as string

    const upgraded = await runCli(where, "upgrade")
    expect(upgraded.stderr).toBe("")
    expect(upgraded.code).toBe(0)
    expect(upgraded.stdout).toMatch(
      new RegExp(
        `^upgrade\\s+${id}  blog tables  \\(\\d+ statements, \\d+ ms\\)\nDatabase at ${id} blog tables \\(head\\)\n$`,
      ),
    )

    const clean = await cli(where, "check")
    expect(clean.code, clean.stderr).toBe(0)
    expect(clean.stdout).toBe("No changes: the database matches the models\n")
    expect((await cli(where, "downgrade", "base")).code).toBe(0)
  })
})
