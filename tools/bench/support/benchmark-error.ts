/** A benchmark that cannot run or whose contenders disagree: it stops the run with this message. */
export class BenchmarkError extends Error {
  override name = "BenchmarkError"
}
