// What a suite needs to run: the endpoint it was started against, and how Vitest loads its files.
export interface SuiteRun {
  /** The repository folder the test files' relative imports start from. */
  root: string
  include: string[]
  /** Environment the suite reads its server from (URL, DATABASE_URL, ...). */
  env: Record<string, string>
  /** Where the suite's imports of the client's own sources, and of Jest, are pointed. */
  alias: { find: string | RegExp; replacement: string }[]
  setupFiles?: string[]
  stop(): Promise<void>
}
