// Runs the type checker over every program of the project. This is what makes the type tests
// (`expectTypeOf`, `@ts-expect-error`) real: a wrong inference fails here.
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const run = promisify(execFile)

describe("type check", () => {
  it.each([
    ["the library and the worker (Workers types only)", "tsconfig.json"],
    ["tools and Node tests", "tsconfig.node.json"],
    ["tests that run in workerd", "test/workers/tsconfig.json"],
  ])(
    "passes for %s",
    async (_, project) => {
      const result = await run("node_modules/.bin/tsc", ["--noEmit", "-p", project]).then(
        () => "",
        (error: { stdout?: string }) => error.stdout ?? String(error),
      )
      expect(result).toBe("")
    },
    60_000,
  )
})
