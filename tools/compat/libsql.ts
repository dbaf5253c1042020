// The @libsql/client suite in sqld mode (SERVER=sqld, an http:// URL) against libsql-local. Its imports
// of the client's sources (`../node.js`) get the published package pinned in package-lock.json.
import { fileURLToPath } from "node:url"
import { startLibsqlLocal } from "../libsql-local/index.ts"
import type { SuiteRun } from "./suite-run.ts"
import { SUITES, suitePath } from "./suites.ts"

const TOKEN = "compat-token"

export async function libsqlRun(): Promise<SuiteRun> {
  const suite = SUITES.find((candidate) => candidate.name === "libsql")
  if (!suite) throw new Error("the libsql suite is not declared")
  const local = await startLibsqlLocal({ port: 0, authToken: TOKEN })
  const shim = (file: string) => fileURLToPath(new URL(`./shims/${file}`, import.meta.url))
  return {
    root: suitePath(suite, "packages/libsql-client"),
    include: suite.tests.map((file) => file.replace("packages/libsql-client/", "")),
    env: { URL: local.url, AUTH_TOKEN: TOKEN, SERVER: "sqld" },
    alias: [
      { find: /^\.\.\/node\.js$/, replacement: fileURLToPath(import.meta.resolve("@libsql/client/node")) },
      { find: "@jest/globals", replacement: shim("jest-globals.ts") },
      { find: /^\.\/mocks$/, replacement: shim("msw-server.ts") },
      { find: /^@libsql\/hrana-client$/, replacement: shim("hrana-client.ts") },
      {
        find: "@libsql/hrana-client/real",
        replacement: fileURLToPath(import.meta.resolve("@libsql/hrana-client")),
      },
    ],
    stop: () => local.stop(),
  }
}
