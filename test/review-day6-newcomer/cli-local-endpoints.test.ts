// What `edgealchemy migrate` tells a newcomer whose local endpoint is not there: a URL where nothing
// listens (libsql-local or neon-local not started) was `fetch failed: connect ECONNREFUSED ...` alone, and
// a `libsql://` URL given to libsql-local, which speaks plain HTTP, was an OpenSSL "wrong version number"
// (reported as a commit whose outcome is unknown). Both now say what to do.

import { once } from "node:events"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, expect, it } from "vitest"
import { main } from "../../cli/main.ts"

const project = mkdtempSync(join(tmpdir(), "ea-nc6-cli-"))
afterAll(() => rmSync(project, { recursive: true, force: true }))

async function current(url: string, dir = project) {
  const err: string[] = []
  const io = { cwd: dir, env: { DATABASE_URL: url }, out: () => {}, err: (line: string) => err.push(line) }
  const code = await main(["migrate", "current"], io)
  return { code, err }
}

/** A loopback port nothing listens on (a server's, closed). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1")
  await once(server, "listening")
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, "close")
  return port
}

it("names the stand-in to start when nothing answers at a local libSQL URL", async () => {
  const port = await closedPort()
  const { code, err } = await current(`http://127.0.0.1:${port}`)
  expect(code).toBe(1)
  expect(err).toEqual([
    `error: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`,
    `Nothing answers at 127.0.0.1:${port}: start the local endpoint (\`npx edgealchemy libsql-local --port ${port}\`), or correct the URL`,
  ])
})

it("names neon-local when nothing answers at the configured fetchEndpoint", async () => {
  const port = await closedPort()
  const dir = mkdtempSync(join(project, "neon-"))
  writeFileSync(
    join(dir, "edgealchemy.config.json"),
    JSON.stringify({ neon: { fetchEndpoint: `http://127.0.0.1:${port}/sql` } }),
  )
  const { code, err } = await current("postgresql://postgres@127.0.0.1:5432/app", dir)
  expect(code).toBe(1)
  // Neon's error keeps the fetch failure as `sourceError`: its cause is said too.
  expect(err[0]).toBe(
    `error: Error connecting to database: TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`,
  )
  expect(err[1]).toBe(
    `Nothing answers at 127.0.0.1:${port}: start the local endpoint (\`npx edgealchemy neon-local --port ${port}\`), or correct the URL`,
  )
})

it("says libsql:// is TLS when it reaches a local plain-HTTP endpoint", async () => {
  const server = createServer((_request, response) => response.end("{}")).listen(0, "127.0.0.1")
  await once(server, "listening")
  const { port } = server.address() as AddressInfo
  try {
    const { code, err } = await current(`libsql://127.0.0.1:${port}`)
    expect(code).toBe(1)
    expect(err[0]).toContain("wrong version number")
    expect(err[1]).toBe(
      `libsql:// is TLS, which a local endpoint does not speak: use http://127.0.0.1:${port}`,
    )
  } finally {
    server.close()
  }
})

it("gives no such hint for a remote host", async () => {
  const { err } = await current("http://192.0.2.1:1")
  expect(err).toEqual(["error: fetch failed: bad port"])
})
