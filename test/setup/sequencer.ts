// The order files start in. Vitest starts the files it has no timings for (a clean clone, as in CI) by
// size, largest first, and some of the longest files are among the smallest: orm-query and orm-session
// (one line per transport over a shared suite), typecheck (three tsc runs). Started last, they ran on
// while the other workers had nothing left. These start first, longest first (as timed with three
// files at once), then the rest in Vitest's own order.
import { relative } from "node:path"
import { BaseSequencer, type TestSpecification } from "vitest/node"

const LONGEST = [
  "test/node/migrate-cli.test.ts",
  "test/node/orm-query.test.ts",
  "test/node/packed-package.test.ts",
  "test/node/orm-session.test.ts",
  "test/reliability/hostile-inputs.test.ts",
  "test/node/typecheck.test.ts",
  "test/model-based/session-model.test.ts",
  "test/node/bench-smoke.test.ts",
  "test/reliability/concurrency.test.ts",
  "test/reliability/request-timeout.test.ts",
  "test/scale/flush.test.ts",
  "test/fuzz/expressions.test.ts",
]

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const rank = (file: TestSpecification) =>
      LONGEST.indexOf(relative(file.project.config.root, file.moduleId).replaceAll("\\", "/"))
    const first = sorted.filter((file) => rank(file) !== -1).sort((a, b) => rank(a) - rank(b))
    return [...first, ...sorted.filter((file) => rank(file) === -1)]
  }
}
