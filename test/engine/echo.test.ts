// The echo log's line: parameters as JSON, with what JSON cannot write (a bigint, bytes) spelled out,
// and URLs with their secrets masked.
import { expect, it } from "vitest"
import { echoLogger, maskUrl } from "../../src/engine/echo.ts"

it("writes each statement with its parameters, duration and failure", () => {
  const lines: string[] = []
  const echo = echoLogger((line) => lines.push(line))
  echo({ sql: "SELECT $1, $2, $3", params: ["a", 2n ** 63n - 1n, new Uint8Array(3)], durationMs: 1.25 })
  echo({ sql: "SELECT 1", params: [], durationMs: 0, error: new Error("boom") })
  expect(lines).toEqual([
    '[edgealchemy] SELECT $1, $2, $3 ["a","9223372036854775807n","<3 bytes>"] (1.3 ms)',
    "[edgealchemy] SELECT 1 (0.0 ms) failed: boom",
  ])
})

it("masks a URL's password and token", () => {
  expect(maskUrl("postgresql://ada:secret@host/db?sslmode=require")).toBe(
    "postgresql://ada:***@host/db?sslmode=require",
  )
  expect(maskUrl("libsql://db.turso.io?authToken=abc&x=1")).toBe("libsql://db.turso.io?authToken=***&x=1")
})
