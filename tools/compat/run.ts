// `npm run test:compat`: the official clients' own integration tests (tools/compat/suites.ts) against
// the local endpoints, under Vitest, with the real drivers pinned in package-lock.json. Every failure
// must be listed in expected-failures.ts with its reason; the run fails on a new failure, on an
// expected failure that passes, and on a listed test that no longer exists.
import { startVitest } from "vitest/node"
import { libsqlRun } from "./libsql.ts"
import { neonRun } from "./neon.ts"
import { checkOutcomes, type Outcome } from "./outcomes.ts"
import type { SuiteRun } from "./suite-run.ts"
import { fileProblems, SUITES } from "./suites.ts"

const RUNS: Record<string, () => Promise<SuiteRun>> = { libsql: libsqlRun, neon: neonRun }

async function runOne(name: string): Promise<Outcome[]> {
  const run = await RUNS[name]?.()
  if (!run) throw new Error(`no runner for suite ${name}`)
  Object.assign(process.env, run.env)
  try {
    const vitest = await startVitest("test", [], {
      config: false,
      root: run.root,
      include: run.include,
      globals: true,
      watch: false,
      // Quiet: outcomes.ts reports, with the first error of each failure that is not a documented one.
      reporters: [{}],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      fileParallelism: false,
      ...(run.setupFiles ? { setupFiles: run.setupFiles } : {}),
      alias: run.alias,
    })
    const outcomes = collectOutcomes(vitest.state.getFiles())
    await vitest.close()
    return outcomes
  } finally {
    await run.stop()
  }
}

interface Task {
  name: string
  type: string
  mode: string
  result?: { state?: string; errors?: { message?: string }[] }
  tasks?: Task[]
}

/** Every test by its full name (describe blocks and test, joined by " > "; "#2" on a repeated name). */
function collectOutcomes(files: Task[]): Outcome[] {
  const outcomes: Outcome[] = []
  const seen = new Map<string, number>()
  const visit = (task: Task, path: string[]) => {
    if (task.type === "test") {
      const base = [...path, task.name].join(" > ")
      const count = (seen.get(base) ?? 0) + 1
      seen.set(base, count)
      const state = task.mode === "skip" || task.mode === "todo" ? "skip" : task.result?.state
      const outcome: Outcome = {
        name: count > 1 ? `${base} #${count}` : base,
        state: state === "pass" ? "pass" : state === "skip" ? "skip" : "fail",
      }
      const error = task.result?.errors?.[0]?.message?.split("\n")[0]
      if (outcome.state === "fail" && error !== undefined) outcome.error = error
      outcomes.push(outcome)
      return
    }
    for (const child of task.tasks ?? []) visit(child, [...path, task.name])
  }
  for (const file of files) for (const child of file.tasks ?? []) visit(child, [])
  return outcomes
}

const wanted = process.argv.slice(2)
const suites = SUITES.filter((suite) => wanted.length === 0 || wanted.includes(suite.name))
const problems = suites.flatMap(fileProblems)
if (problems.length > 0) {
  console.error(
    `test:compat: the official suites are not in tools/compat/suites/ as pinned:\n  ${problems.join("\n  ")}\n` +
      "Fetch them with `npx tsx tools/compat/fetch-suites.ts` (needs git and access to their repositories).",
  )
  process.exit(2)
}
let ok = true
for (const suite of suites) {
  const outcomes = await runOne(suite.name)
  const report = checkOutcomes(suite.name, outcomes)
  console.log(report.text)
  ok &&= report.ok
}
process.exit(ok ? 0 : 1)
