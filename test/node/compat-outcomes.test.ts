// `npm run test:compat` passes only when the official suites fail exactly where a documented difference
// says they do: a new failure, an expected failure that passes, or a listed test that no longer exists
// each fail the run.
import { describe, expect, it } from "vitest"
import { EXPECTED_FAILURES } from "../../tools/compat/expected-failures.ts"
import { checkOutcomes, type Outcome } from "../../tools/compat/outcomes.ts"

const listed = Object.keys(EXPECTED_FAILURES.libsql ?? {})
const asExpected = (): Outcome[] => [
  { name: "execute() > query a single value", state: "pass" },
  { name: "arguments > ?NNN arguments with holes", state: "skip" },
  ...listed.map((name): Outcome => ({ name, state: "fail", error: "as documented" })),
]

describe("test:compat's verdict", () => {
  it("passes when only the documented differences fail, and counts them", () => {
    const report = checkOutcomes("libsql", asExpected())
    expect(report.ok).toBe(true)
    expect(report.text).toBe(
      `libsql: 1 of ${1 + listed.length} passed, ${listed.length} failed (${listed.length} documented differences), 1 skipped by the suite itself`,
    )
  })

  it("fails on a failure nobody documented, naming it with its error", () => {
    const outcomes = [...asExpected(), { name: "batch() > new", state: "fail", error: "boom" } as Outcome]
    const report = checkOutcomes("libsql", outcomes)
    expect(report.ok).toBe(false)
    expect(report.text).toContain("NEW FAILURE      batch() > new: boom")
  })

  it("fails when a documented difference passes, and when a listed test is gone", () => {
    const [first, ...rest] = listed
    const passing = asExpected().map((outcome) =>
      outcome.name === first ? { ...outcome, state: "pass" as const } : outcome,
    )
    expect(checkOutcomes("libsql", passing).text).toContain(`UNEXPECTED PASS  ${first}`)
    const gone = asExpected().filter((outcome) => outcome.name !== first)
    const report = checkOutcomes("libsql", gone)
    expect(report.ok).toBe(false)
    expect(report.text).toContain(`NOT FOUND        ${first}`)
    expect(rest.length).toBeGreaterThan(0)
  })
})
