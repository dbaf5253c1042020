// Checks a suite's outcomes against the documented differences (expected-failures.ts): what failed must
// be listed, what is listed must fail. Prints one line per surprise and the counts.
import { EXPECTED_FAILURES } from "./expected-failures.ts"

export interface Outcome {
  /** Describe blocks and test name joined by " > ", "#N" on a name repeated in the file. */
  name: string
  state: "pass" | "fail" | "skip"
  /** The first line of the first error, for a failure. */
  error?: string
}

export function checkOutcomes(suite: string, outcomes: Outcome[]): { ok: boolean; text: string } {
  const expected = EXPECTED_FAILURES[suite] ?? {}
  const byName = new Map(outcomes.map((outcome) => [outcome.name, outcome.state]))
  const problems: string[] = []
  for (const { name, state, error } of outcomes) {
    if (state === "fail" && !(name in expected)) problems.push(`NEW FAILURE      ${name}: ${error ?? "?"}`)
    if (state === "pass" && name in expected)
      problems.push(`UNEXPECTED PASS  ${name} (listed: ${expected[name]})`)
  }
  for (const name of Object.keys(expected)) {
    if (!byName.has(name)) problems.push(`NOT FOUND        ${name} (listed in expected-failures.ts)`)
  }
  const count = (state: Outcome["state"]) => outcomes.filter((outcome) => outcome.state === state).length
  const ran = count("pass") + count("fail")
  const lines = [
    `${suite}: ${count("pass")} of ${ran} passed, ${count("fail")} failed (${Object.keys(expected).length} documented differences), ${count("skip")} skipped by the suite itself`,
    ...problems.map((problem) => `  ${problem}`),
  ]
  return { ok: problems.length === 0, text: lines.join("\n") }
}
