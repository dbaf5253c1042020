// The package as a newcomer installs it: the tarball of `npm pack` in a scratch app with the peer
// dependencies (packed-app.ts), the README's project (examples/: edgealchemy.config.ts, src/models.ts and
// the first revision) copied in, and the README's whole migration flow run through the installed bin,
// on PostgreSQL (through neon-local, a fresh database) and on libSQL (through libsql-local, a fresh file);
// then the local endpoints as the package ships them (`npx edgealchemy libsql-local`, `neon-local`), and
// the README's Hono app under `wrangler dev` on one of them.
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { once } from "node:events"
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { type AddressInfo, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { libsqlToken, migrationDatabases, type TargetName } from "../migrate/databases.ts"
import { createScratchDatabase, pgUrl } from "../setup/postgres.ts"
import { type CliProject, COMMAND_LIMIT_MS, runCli as cli } from "./cli-process.ts"
import { INSTALL_LIMIT_MS, installPackedApp, type PackedApp, TOOL_LIMIT_MS } from "./packed-app.ts"

const ROOT = resolve(import.meta.dirname, "../..")
const EXAMPLES = join(ROOT, "examples")
const README_REVISION = "3f9a2c1b7d4e_user_bio.ts"
const ENTRY_POINTS = [
  "edgealchemy",
  "edgealchemy/neon",
  "edgealchemy/libsql",
  "edgealchemy/libsql-node",
  "edgealchemy/hono",
  "edgealchemy/migrate",
]
const run = promisify(execFile)

/** A local endpoint started from the bin, one or two commands run against it (wrangler dev on one). */
const ENDPOINT_LIMIT_MS = 300_000
/**
 * The README's migration flow runs 11 commands one after another, each stopped by its own limit if it
 * hangs: the flow's limit gives every one of them that limit, and one more for the databases' setup and
 * stop, so a loaded machine that slows every command alike cannot run it out (as migrate-cli.test.ts).
 */
const MIGRATION_FLOW_LIMIT_MS = 12 * COMMAND_LIMIT_MS

const work = mkdtempSync(join(tmpdir(), "ea-packed-"))
let app: PackedApp

beforeAll(async () => {
  app = await installPackedApp(ROOT, work, [
    "@libsql/client",
    "@neondatabase/serverless",
    "@types/node",
    "hono",
    "pg",
    "tsx",
    "wrangler",
    "ws",
  ])
}, INSTALL_LIMIT_MS)
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe("the packed package", () => {
  it("holds dist/ with the built CLI, which its bin runs", () => {
    expect(app.files).toEqual(
      expect.arrayContaining(["cli/edgealchemy.mjs", "dist/cli/main.js", "dist/migrate.js", "LICENSE"]),
    )
    expect(app.files.filter((file) => file.startsWith("cli/"))).toEqual(["cli/edgealchemy.mjs"])
  })

  it("resolves every entry point to dist/, with its types, and imports it", async () => {
    const script = `for (const entry of ${JSON.stringify(ENTRY_POINTS)}) {
      await import(entry)
      console.log(import.meta.resolve(entry))
    }`
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: app.dir })
    const installed = join(app.dir, "node_modules/edgealchemy")
    expect(stdout.trim().split("\n")).toEqual(
      ["index", "neon", "libsql", "libsql-node", "hono", "migrate"].map(
        (name) => `file://${installed}/dist/${name}.js`,
      ),
    )
    for (const name of ["index", "neon", "libsql", "libsql-node", "hono", "migrate"])
      expect(app.files).toContain(`dist/${name}.d.ts`)
  })

  it.each([
    ["bundler", "esnext"],
    ["nodenext", "nodenext"],
  ])(
    "typechecks the README's project against the published declarations (moduleResolution %s)",
    {
      timeout: TOOL_LIMIT_MS,
    },
    async (moduleResolution, module) => {
      const project = readmeProject(`typecheck-${moduleResolution}`)
      writeFileSync(
        join(project, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "es2022",
            lib: ["es2023", "esnext.disposable"],
            module,
            moduleResolution,
            allowImportingTsExtensions: true,
            // What `tsc --init` turns on beside strict.
            verbatimModuleSyntax: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            // Node's types have Request and Response, which the Workers of src/ use.
            types: ["node"],
          },
          include: ["edgealchemy.config.ts", "src/*.ts", "migrations/*.ts"],
        }),
      )
      const output = await run(join(ROOT, "node_modules/.bin/tsc"), ["-p", project]).then(
        () => "",
        (error: { stdout?: string }) => error.stdout ?? String(error),
      )
      expect(output).toBe("")
    },
  )

  it("has declarations that check without skipLibCheck, in Node with no DOM, for TypeScript before 5.7 too", {
    timeout: TOOL_LIMIT_MS,
  }, async () => {
    const project = join(app.dir, "declarations")
    mkdirSync(project)
    writeFileSync(
      join(project, "main.ts"),
      ENTRY_POINTS.map((entry, i) => `export * as entry${i} from "${entry}"\n`).join(""),
    )
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "es2022",
          lib: ["es2022", "esnext.disposable"],
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
        },
        files: ["main.ts"],
      }),
    )
    const output = await run(join(ROOT, "node_modules/.bin/tsc"), ["-p", project]).then(
      () => "",
      (error: { stdout?: string }) => error.stdout ?? String(error),
    )
    // The drivers' and Hono's own declarations name DOM globals (WebSocket): only ours are judged here.
    expect(output.split("\n").filter((line) => line.includes("node_modules/edgealchemy/"))).toEqual([])
    // A generic Uint8Array (what TypeScript 5.7+ infers) is an error in the TypeScript before it.
    const declarations = app.files.filter((file) => file.endsWith(".d.ts"))
    const generic = declarations.filter((file) =>
      /Uint8Array<|ArrayBufferLike/.test(
        readFileSync(join(app.dir, "node_modules/edgealchemy", file), "utf8"),
      ),
    )
    expect(generic).toEqual([])
  })
})

describe.concurrent.each(["neon-http", "libsql-http"] satisfies TargetName[])(
  "the README's migrations on %s",
  (name) => {
    it("upgrade, check, revision --autogenerate, upgrade, current, history, check, sql, downgrade", {
      timeout: MIGRATION_FLOW_LIMIT_MS,
    }, async () => {
      const databases = await migrationDatabases()
      try {
        const target = databases.targets.find((t) => t.name === name)
        if (!target) throw new Error(name)
        const dir = readmeProject(name)
        if (target.dialect === "postgresql") {
          const config = join(dir, "edgealchemy.config.ts")
          const endpoint = `${inject("neon").httpUrl}/s/packed/sql`
          writeFileSync(
            config,
            readFileSync(config, "utf8").replace(
              /\n}\)\n$/,
              `\n  neon: { fetchEndpoint: ${JSON.stringify(endpoint)} },\n})\n`,
            ),
          )
        }
        const bin = join(app.dir, "node_modules/.bin/edgealchemy")
        const env = { ...process.env, DATABASE_URL: target.url, DATABASE_AUTH_TOKEN: libsqlToken }
        await migrationFlow({ bin, dir, env })
      } finally {
        await databases.stop()
      }
    })
  },
)

describe("the local endpoints, started from the installed bin as the README says", () => {
  it("npx edgealchemy libsql-local serves the README's migrations", {
    timeout: ENDPOINT_LIMIT_MS,
  }, async () => {
    const endpoint = await startEndpoint(["libsql-local", "--port", "0"], process.env)
    try {
      expect(endpoint.banner).toContain(`createEngine("${endpoint.url}") from "edgealchemy/libsql"`)
      const project = {
        bin: endpointBin(),
        dir: readmeProject("libsql-local"),
        env: { ...process.env, DATABASE_URL: endpoint.url },
      }
      const upgraded = await cli(project, "upgrade")
      expect(upgraded.code, upgraded.stderr).toBe(0)
      expect(upgraded.stdout).toContain("Database at 0ca22f918c2f blog tables (head)")
    } finally {
      await endpoint.stop()
    }
  })

  it("npx edgealchemy neon-local serves the README's migrations, with the settings it prints", {
    timeout: ENDPOINT_LIMIT_MS,
  }, async () => {
    const scratch = await createScratchDatabase(pgUrl())
    const endpoint = await startEndpoint(["neon-local", "--port", "0"], { ...process.env, PG_URL: pgUrl() })
    try {
      const fetchEndpoint = `${endpoint.url}/sql`
      expect(endpoint.banner).toContain(`createEngine(url, { fetchEndpoint: "${fetchEndpoint}",`)
      const dir = readmeProject("neon-local")
      const config = join(dir, "edgealchemy.config.ts")
      writeFileSync(
        config,
        readFileSync(config, "utf8").replace(
          /\n}\)\n$/,
          `\n  neon: { fetchEndpoint: "${fetchEndpoint}" },\n})\n`,
        ),
      )
      const project = { bin: endpointBin(), dir, env: { ...process.env, DATABASE_URL: scratch.url } }
      const upgraded = await cli(project, "upgrade")
      expect(upgraded.code, upgraded.stderr).toBe(0)
      expect(upgraded.stdout).toContain("Database at 0ca22f918c2f blog tables (head)")
    } finally {
      await endpoint.stop()
      await scratch.drop()
    }
  })

  it("the README's Hono app under wrangler dev, on npx edgealchemy libsql-local", {
    timeout: ENDPOINT_LIMIT_MS,
  }, async () => {
    const endpoint = await startEndpoint(["libsql-local", "--port", "0"], process.env)
    const dir = readmeProject("wrangler-dev")
    // The models have the README's user bio: its revision too.
    cpSync(join(EXAMPLES, "migrations", README_REVISION), join(dir, "migrations", README_REVISION))
    let wrangler: ChildProcess | undefined
    try {
      const migrated = await cli(
        { bin: endpointBin(), dir, env: { ...process.env, DATABASE_URL: endpoint.url } },
        "upgrade",
      )
      expect(migrated.code, migrated.stderr).toBe(0)
      writeFileSync(
        join(dir, "wrangler.toml"),
        `name = "readme-hono"\nmain = "src/hono-app.ts"\ncompatibility_date = "2026-04-01"\n\n` +
          `[vars]\nDATABASE_URL = "${endpoint.url}"\nDATABASE_AUTH_TOKEN = ""\n`,
      )
      const port = await freePort()
      wrangler = spawn(
        process.execPath,
        [
          join(app.dir, "node_modules/wrangler/bin/wrangler.js"),
          "dev",
          "--ip",
          "127.0.0.1",
          "--port",
          String(port),
        ],
        {
          cwd: dir,
          // No internet here: wrangler would otherwise try to send metrics and fetch `cf` data on start.
          env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
          detached: true,
        },
      )
      await readyLine(wrangler, /Ready on http:\/\/127\.0\.0\.1:\d+/)
      const base = `http://127.0.0.1:${port}`
      const create = () =>
        fetch(`${base}/users`, { method: "POST", body: JSON.stringify({ username: "ada" }) })
      const created = await create()
      expect(created.status).toBe(201)
      expect(created.headers.get("Server-Timing")).toMatch(/^db;desc="1 round trips?, 1 statements?";dur=/)
      const { id } = (await created.json()) as { id: number }
      expect((await create()).status).toBe(409)
      expect(await (await fetch(`${base}/users/${id}`)).json()).toEqual({ id, username: "ada" })
    } finally {
      if (wrangler) await stopGroup(wrangler)
      await endpoint.stop()
    }
  })
})

/** A port free a moment ago, for a server that must be given one. */
async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, "close")
  return port
}

/** Waits for a line of the child's output (stdout or stderr), or fails with what it printed if it exits. */
function readyLine(child: ChildProcess, line: RegExp): Promise<void> {
  let output = ""
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      if (line.test(output)) resolve()
    }
    child.stdout?.on("data", read)
    child.stderr?.on("data", read)
    child.once("exit", (code) => reject(new Error(`exited ${code} before ${line}:\n${output}`)))
  })
}

/** Stops a detached child and what it started (wrangler's workerd), by its process group. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = once(child, "exit")
  process.kill(-child.pid, "SIGTERM")
  await exited
}

function endpointBin(): string {
  return join(app.dir, "node_modules/.bin/edgealchemy")
}

interface RunningEndpoint {
  readonly url: string
  /** What it printed on starting: the settings to use. */
  readonly banner: string
  stop(): Promise<void>
}

/** Runs `edgealchemy <endpoint> ...` from the app until it prints how to reach it. */
async function startEndpoint(args: string[], env: NodeJS.ProcessEnv): Promise<RunningEndpoint> {
  const child: ChildProcess = spawn(process.execPath, [endpointBin(), ...args], { cwd: app.dir, env })
  let banner = ""
  let stderr = ""
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill("SIGTERM")
    await once(child, "exit")
  }
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      banner += chunk.toString()
      // Both print their counters' address once everything before it is printed.
      const counters = /Counters: GET (http:\/\/127\.0\.0\.1:\d+)\/__stats/.exec(banner)
      if (counters) resolve(counters[1] as string)
    })
    child.once("exit", (code) => reject(new Error(`edgealchemy ${args.join(" ")} exited ${code}: ${stderr}`)))
  }).catch(async (error: unknown) => {
    await stop()
    throw error
  })
  return { url, banner, stop }
}

/** A folder in the app with the README's project: its config, its models and the first revision. */
function readmeProject(name: string): string {
  const dir = join(app.dir, name)
  mkdirSync(join(dir, "migrations"), { recursive: true })
  cpSync(join(EXAMPLES, "edgealchemy.config.ts"), join(dir, "edgealchemy.config.ts"))
  cpSync(join(EXAMPLES, "src"), join(dir, "src"), { recursive: true })
  const [first] = readdirSync(join(EXAMPLES, "migrations")).sort()
  cpSync(join(EXAMPLES, "migrations", first as string), join(dir, "migrations", first as string))
  return dir
}

async function migrationFlow(project: CliProject): Promise<void> {
  const upgraded = await cli(project, "upgrade")
  expect(upgraded.code, upgraded.stderr).toBe(0)
  expect(upgraded.stdout).toMatch(/^upgrade\s+0ca22f918c2f {2}blog tables {2}\(\d+ statements, \d+ ms\)$/m)
  expect(upgraded.stdout).toContain("Database at 0ca22f918c2f blog tables (head)")

  const differs = await cli(project, "check")
  expect(differs.code, differs.stderr).toBe(1)
  expect(differs.stdout).toContain("The database differs from the models (1 operation(s))")
  expect(differs.stdout).toContain("+ column users.bio")

  // Autogenerate writes the README's revision, but for its id and date.
  const created = await cli(project, "revision", "-m", "user bio", "--autogenerate")
  expect(created.code, created.stderr).toBe(0)
  const file = /^Created migrations\/([0-9a-f]{12})_user_bio\.ts$/m.exec(created.stdout)
  expect(file, created.stdout).not.toBeNull()
  const id = (file as RegExpExecArray)[1] as string
  expect(created.stdout).toContain("  + column users.bio")
  const written = readFileSync(join(project.dir, "migrations", `${id}_user_bio.ts`), "utf8")
  const readme = readFileSync(join(EXAMPLES, "migrations", README_REVISION), "utf8")
  const undated = (source: string) => source.replace(/, created \d{4}-\d{2}-\d{2}\./, ", created DATE.")
  expect(undated(written.replaceAll(id, "3f9a2c1b7d4e"))).toBe(undated(readme))

  const applied = await cli(project, "upgrade")
  expect(applied.code, applied.stderr).toBe(0)
  expect(applied.stdout).toMatch(
    new RegExp(`^upgrade\\s+${id} {2}user bio {2}\\(\\d+ statements, \\d+ ms\\)$`, "m"),
  )

  const current = await cli(project, "current")
  expect(current.code, current.stderr).toBe(0)
  expect(current.stdout.trim()).toBe(`${id} user bio (head)`)

  const history = await cli(project, "history")
  expect(history.code, history.stderr).toBe(0)
  expect(history.stdout.trim().split("\n")).toEqual([
    "<base> -> 0ca22f918c2f  blog tables",
    `0ca22f918c2f -> ${id} (head)  user bio`,
  ])

  const clean = await cli(project, "check")
  expect(clean.code, clean.stderr).toBe(0)
  expect(clean.stdout.trim()).toBe("No changes: the database matches the models")

  const sql = await cli(project, "sql")
  expect(sql.code, sql.stderr).toBe(0)
  expect(sql.stdout).toContain("-- upgrade 0ca22f918c2f: blog tables")
  expect(sql.stdout).toMatch(/^CREATE TABLE "?users"? \(/m)
  expect(sql.stdout).toContain(`-- upgrade ${id}: user bio`)
  expect(sql.stdout).toMatch(/^ALTER TABLE "?users"? ADD COLUMN "?bio"? TEXT/m)

  const down = await cli(project, "downgrade", "-1")
  expect(down.code, down.stderr).toBe(0)
  expect(down.stdout).toMatch(
    new RegExp(`^downgrade ${id} {2}user bio {2}\\(\\d+ statements, \\d+ ms\\)$`, "m"),
  )
  expect(down.stdout).toContain("Database at 0ca22f918c2f blog tables")

  const behind = await cli(project, "check")
  expect(behind.code, behind.stderr).toBe(1)
  expect(behind.stdout).toContain(`The database is behind: 1 revision(s) not applied (${id})`)

  const base = await cli(project, "downgrade", "base")
  expect(base.code, base.stderr).toBe(0)
  expect(base.stdout).toContain("Database at base (no revision applied)")
}
