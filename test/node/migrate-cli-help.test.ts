// `edgealchemy migrate --help` prints the usage and succeeds; a wrong command or option prints what is
// wrong and the usage, and fails with exit code 2: in this process, through main(). And the bin's own
// manners, in child processes: it starts and exits with main's code, a closed pipe, a local endpoint
// whose packages are missing or whose port is taken.
import { execFile, spawn } from "node:child_process"
import { once } from "node:events"
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { type AddressInfo, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { expect, it } from "vitest"
import { parseArguments } from "../../cli/arguments.ts"
import { main } from "../../cli/main.ts"
import { pgUrl } from "../setup/postgres.ts"

function run(argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const io = {
    cwd: process.cwd(),
    env: {},
    out: (line: string) => out.push(line),
    err: (line: string) => err.push(line),
  }
  return main(argv, io).then((code) => ({ code, out: out.join("\n"), err: err.join("\n") }))
}

it("prints the usage on --help, -h and help, with exit code 0", async () => {
  for (const argv of [["migrate", "--help"], ["--help"], ["migrate", "upgrade", "-h"], ["help"]]) {
    const { code, out } = await run(argv)
    expect(code).toBe(0)
    expect(out).toMatch(/^Usage: edgealchemy migrate <command>/)
  }
})

it("answers an unknown command with the usage and exit code 2", async () => {
  const { code, err } = await run(["migrate", "upgrayedd"])
  expect(code).toBe(2)
  expect(err).toMatch(/Unknown command "upgrayedd"[\s\S]*Usage:/)
  // Alembic's habit, without `migrate`: named, not answered with the usage alone.
  const bare = await run(["init"])
  expect(bare.code).toBe(2)
  expect(bare.err).toMatch(/^Unknown command "init"\n\nUsage:/)
})

it("names the local endpoints the package ships in its usage", async () => {
  const { out } = await run(["--help"])
  expect(out).toContain("edgealchemy libsql-local --help (Turso), edgealchemy neon-local --help (Neon)")
})

it("names an unknown option, and an option the command does not take, with the usage and exit code 2", async () => {
  const unknown = await run(["migrate", "upgrade", "--autogenrate"])
  expect(unknown.code).toBe(2)
  expect(unknown.err).toMatch(/^Unknown option --autogenrate\n\nUsage:/)
  const misplaced = await run(["migrate", "upgrade", "-m", "bio"])
  expect(misplaced.code).toBe(2)
  expect(misplaced.err).toMatch(/^upgrade does not take -m\n\nUsage:/)
  const valueless = await run(["migrate", "revision", "-m"])
  expect(valueless.code).toBe(2)
  expect(valueless.err).toMatch(/^Option '-m, --message <value>' argument missing\n\nUsage:/)
  const surplus = await run(["migrate", "current", "head"])
  expect(surplus.code).toBe(2)
  expect(surplus.err).toBe("current takes no argument(s); unexpected: head")
})

it("reads relative targets (-1) as arguments, and options anywhere on the line", () => {
  expect(parseArguments(["migrate", "downgrade", "-1"])).toEqual({
    command: "downgrade",
    positional: ["-1"],
    autogenerate: false,
    downgrade: false,
    merge: false,
  })
  expect(
    parseArguments(["migrate", "--config", "db.config.ts", "sql", "--downgrade", "-2", "--from", "abc"]),
  ).toEqual({
    command: "sql",
    positional: ["-2"],
    autogenerate: false,
    downgrade: true,
    merge: false,
    from: "abc",
    config: "db.config.ts",
  })
  expect(parseArguments(["migrate", "revision", "--message=user bio", "--autogenerate"])).toMatchObject({
    command: "revision",
    message: "user bio",
    autogenerate: true,
  })
})

// The bin itself, in a child process: it starts (tsx registered, the sources loaded), writes the usage
// to its stdout with exit code 0, and a usage error to its stderr with exit code 2 (main's code, set as
// the process's). The tests above run the same main() in this process.
it("starts as cli/edgealchemy.mjs, prints the usage with exit code 0 and a usage error with exit code 2", async () => {
  const bin = join(import.meta.dirname, "../../cli/edgealchemy.mjs")
  const start = (...argv: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, ...argv], (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      )
    })
  const [help, unknown] = await Promise.all([start("migrate", "--help"), start("migrate", "upgrayedd")])
  expect(help).toMatchObject({ code: 0, stderr: "" })
  expect(help.stdout).toMatch(/^Usage: edgealchemy migrate <command>[\s\S]*\n$/)
  expect(unknown).toMatchObject({ code: 2, stdout: "" })
  expect(unknown.stderr).toMatch(/^Unknown command "upgrayedd"\n\nUsage: edgealchemy migrate <command>/)
})

it("ends quietly when its reader closes the pipe early (migrate sql | head), as a Unix command does", async () => {
  const bin = join(import.meta.dirname, "../../cli/edgealchemy.mjs")
  const child = spawn(process.execPath, [bin, "migrate", "--help"], { stdio: ["ignore", "pipe", "pipe"] })
  // The reader is gone before the CLI has loaded, let alone written its first line.
  child.stdout.destroy()
  let stderr = ""
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const [code] = (await once(child, "close")) as [number | null]
  expect(stderr).toBe("")
  expect(code).toBe(0)
})

it("names what a local endpoint needs when the project has not installed it, before starting it", async () => {
  // The bin in a project whose node_modules holds tsx alone.
  const project = mkdtempSync(join(tmpdir(), "ea-bin-"))
  try {
    mkdirSync(join(project, "cli"))
    mkdirSync(join(project, "node_modules"))
    cpSync(join(import.meta.dirname, "../../cli/edgealchemy.mjs"), join(project, "cli/edgealchemy.mjs"))
    symlinkSync(join(import.meta.dirname, "../../node_modules/tsx"), join(project, "node_modules/tsx"))
    const run = (endpoint: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [join(project, "cli/edgealchemy.mjs"), endpoint], (error, _out, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, stderr }),
        )
      })
    expect(await run("libsql-local")).toEqual({
      code: 2,
      stderr: "edgealchemy libsql-local needs libsql: npm i -D @libsql/client (it brings libsql)\n",
    })
    expect(await run("neon-local")).toEqual({
      code: 2,
      stderr: "edgealchemy neon-local needs pg and ws: npm i -D pg ws\n",
    })
  } finally {
    rmSync(project, { recursive: true, force: true })
  }
})

it("neon-local on a port in use says so in one line, as libsql-local does", async () => {
  const taken = createServer()
  taken.listen(0, "127.0.0.1")
  await once(taken, "listening")
  const { port } = taken.address() as AddressInfo
  try {
    const bin = join(import.meta.dirname, "../../cli/edgealchemy.mjs")
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, "neon-local", "--port", String(port)],
        { env: { ...process.env, PG_URL: pgUrl() } },
        (error, _out, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
      )
    })
    expect(code).toBe(1)
    expect(stderr).toBe(
      `neon-local: could not listen on 127.0.0.1:${port}: Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`,
    )
  } finally {
    taken.close()
  }
})
