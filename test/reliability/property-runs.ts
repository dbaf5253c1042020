// Runs a fast-check property with a fixed seed and fails the test with its counterexample. The runs
// tried and failed of every property are printed at the end of a file when RELIABILITY_REPORT is set
// (`RELIABILITY_REPORT=1 npx vitest run --project node test/reliability`). For a deeper search on
// demand, RELIABILITY_RUNS multiplies the runs and RELIABILITY_SEED shifts the seeds; `npm test` uses
// neither, so it runs the same values every time.
import fc from "fast-check"
import { afterAll, expect } from "vitest"

const tally: string[] = []
/** Environment variables in Node; workerd has none. */
const env: Record<string, string | undefined> = globalThis.process?.env ?? {}

afterAll(() => {
  if (env.RELIABILITY_REPORT) console.log(tally.join("\n"))
})

export async function checkProperty<T>(
  name: string,
  property: fc.IAsyncProperty<T>,
  parameters: { seed: number; numRuns: number },
): Promise<void> {
  const seed = parameters.seed + (Number(env.RELIABILITY_SEED) || 0)
  const numRuns = parameters.numRuns * (Number(env.RELIABILITY_RUNS) || 1)
  const details = await fc.check(property, { seed, numRuns })
  tally.push(`${name}: ${details.numRuns} tried, ${details.failed ? 1 : 0} failed (seed ${seed})`)
  if (details.failed) {
    const error = details.errorInstance
    const counterexample = fc.stringify(details.counterexample)
    expect.fail(
      `${name} failed after ${details.numRuns} runs on ${counterexample.slice(0, 2000)}: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}
