// Runs `edgealchemy migrate ...` as a user does: a child process of the bin, in a project folder, with
// the database URL in its environment. Shared by the CLI tests of this checkout and of the packed package.
import { execFile } from "node:child_process"

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface CliProject {
  /** The bin to run (`cli/edgealchemy.mjs` here, `node_modules/.bin/edgealchemy` in an app). */
  readonly bin: string
  readonly dir: string
  readonly env: NodeJS.ProcessEnv
}

/**
 * A command should take about half a second; the limit only stops a hung one (a connection that
 * never answers) with a readable failure, on a machine loaded many times over.
 */
export const COMMAND_LIMIT_MS = 90_000

export function runCli(project: CliProject, ...args: string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [project.bin, "migrate", ...args],
      { cwd: project.dir, env: project.env, timeout: COMMAND_LIMIT_MS },
      (error, stdout, stderr) => {
        const killed = error?.killed
          ? `\n(killed after ${COMMAND_LIMIT_MS} ms: migrate ${args.join(" ")})`
          : ""
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr: `${stderr}${killed}` })
      },
    )
  })
}
