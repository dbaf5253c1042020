// `npx edgealchemy libsql-local --port N my.db` as the README shows it, when it cannot start: a database
// path whose folder does not exist said only SQLite's "Unable to open connection ...: 14", and every
// start error was printed as "libsql-local: libsql-local could not ...". The folder is now named, and the
// prefix said once.
import { execFile } from "node:child_process"
import { once } from "node:events"
import { mkdtempSync, rmSync } from "node:fs"
import { type AddressInfo, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, expect, it } from "vitest"
import { COMMAND_LIMIT_MS } from "../node/cli-process.ts"

const BIN = resolve(import.meta.dirname, "../../cli/edgealchemy.mjs")
const dir = mkdtempSync(join(tmpdir(), "ea-nc6-local-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The CLI starting (node, tsx, the sources) takes about a second of CPU: far longer on a loaded machine.
 *  A start that hangs is stopped by the child's limit, which the test's outlasts to report it. */
const TEST_LIMIT_MS = COMMAND_LIMIT_MS + 10_000

function start(...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, "libsql-local", ...args],
      { cwd: dir, timeout: COMMAND_LIMIT_MS },
      (error, _out, stderr) => done({ code: error ? Number(error.code) : 0, stderr }),
    )
  })
}

it("names the missing folder of the database file", { timeout: TEST_LIMIT_MS }, async () => {
  const { code, stderr } = await start("--port", "0", "nodir/app.db")
  expect(code).toBe(1)
  expect(stderr).toMatch(
    new RegExp(
      `^libsql-local could not open the database file nodir/app\\.db \\(its folder ${join(dir, "nodir")} does not exist: create it first\\): `,
    ),
  )
})

it("says a port in use in one line, named once", { timeout: TEST_LIMIT_MS }, async () => {
  const taken = createServer().listen(0, "127.0.0.1")
  await once(taken, "listening")
  const { port } = taken.address() as AddressInfo
  try {
    const { code, stderr } = await start("--port", String(port))
    expect(code).toBe(1)
    expect(stderr).toBe(
      `libsql-local could not listen on 127.0.0.1:${port}: Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`,
    )
  } finally {
    taken.close()
  }
})
