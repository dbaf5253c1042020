// A Worker whose DATABASE_URL is not set (no [vars] entry, no .dev.vars) calls createEngine(undefined):
// every entry point threw "TypeError: Cannot read properties of undefined (reading 'replace')" from the
// URL masking of its own error message. It is now an InvalidRequestError that says the URL is missing and
// asks whether its binding is set (day 8: it named the URLs edgealchemy takes, as for an empty URL).
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
])("createEngine of %s refuses an unset URL, asking for its binding", (_, create) => {
  expect(unset).toBeUndefined()
  expect(create).toThrow(InvalidRequestError)
  expect(create).toThrow(/^No database URL \(undefined\): is its binding set\?$/)
})
