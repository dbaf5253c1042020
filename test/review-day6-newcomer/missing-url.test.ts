// A Worker whose DATABASE_URL is not set (no [vars] entry, no .dev.vars) calls createEngine(undefined):
// every entry point threw "TypeError: Cannot read properties of undefined (reading 'replace')" from the
// URL masking of its own error message. It is now the error an empty URL gets, naming the URLs it takes.
import { expect, it } from "vitest"
import { createEngine, InvalidRequestError } from "../../src/index.ts"
import { createEngine as libsqlEngine } from "../../src/libsql.ts"
import { createEngine as embeddedEngine } from "../../src/libsql-node.ts"
import { createEngine as neonEngine } from "../../src/neon.ts"

const unset = (process.env as Record<string, string>).EDGEALCHEMY_NEVER_SET_URL as string

it.each([
  ["edgealchemy", () => createEngine(unset)],
  ["edgealchemy/neon", () => neonEngine(unset)],
  ["edgealchemy/libsql", () => libsqlEngine(unset)],
  ["edgealchemy/libsql-node", () => embeddedEngine(unset)],
])("createEngine of %s refuses an unset URL, naming the URLs it takes", (_, create) => {
  expect(unset).toBeUndefined()
  expect(create).toThrow(InvalidRequestError)
  expect(create).toThrow(/^No driver for an empty URL.*: .*postgresql:\/\/user:password@host\/db \(Neon\)/)
})
