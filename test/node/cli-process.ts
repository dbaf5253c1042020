// Runs `edgealchemy migrate ...` as a user does: a child process of the bin, in a project folder, with
// the database URL in its environment. Shared by the CLI tests of this checkout and of the packed package.
// And the same command in this process (runCliInProcess), through the bin's own entry, cli/main.ts's
// main(argv, io): the folder and environment given to it, its lines gathered as the bin writes them,
// and its exit code returned. Most steps run so: a child process costs about 1.3 s of CPU (node, tsx,
// the TypeScript sources) where the command itself takes a fraction of that.
import { execFile } from "node:child_process"
import { main } from "../../cli/main.ts"

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** What a command needs to run in this process: its working folder and its environment. */
export interface CliFolder {
  readonly dir: string
  readonly env: NodeJS.ProcessEnv
}

export interface CliProject extends CliFolder {
  /** The bin to run (`cli/edgealchemy.mjs` here, `node_modules/.bin/edgealchemy` in an app). */
  readonly bin: string
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

/**
 * `migrate ...args` in this process, as the bin runs it: main() with the folder as its working
 * directory and the environment given (this process's own are neither read nor changed), each line
 * written with its newline as the bin writes it. A hung command is reported after the limit, as
 * runCli's child is killed (it cannot be stopped here: it is left to end by itself, its outcome
 * ignored); an error main() lets through, which the bin would report as an uncaught error with exit
 * code 1, comes back so rather than as an unhandled rejection.
 *
 * The modules a command imports (a TypeScript config, the revisions, the models) are imported once per
 * path in this process, where each bin process imports them afresh: a config rewritten after a command
 * imported it is still read as it was (seen: `migrations` changed from "a" to "b", history still said
 * "No revisions in a"). Give each project a folder of its own, and write a revision file in full before
 * a command imports it. A relative file: URL is opened in `dir` (main resolves it there).
 */
export async function runCliInProcess(folder: CliFolder, ...args: string[]): Promise<CliRun> {
  let stdout = ""
  let stderr = ""
  const io = {
    cwd: folder.dir,
    env: folder.env,
    out: (line: string) => {
      stdout += `${line}\n`
    },
    err: (line: string) => {
      stderr += `${line}\n`
    },
  }
  const run = main(["migrate", ...args], io).catch((error: unknown) => {
    stderr += `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
    return 1
  })
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<"hung">((done) => {
    timer = setTimeout(() => done("hung"), COMMAND_LIMIT_MS)
  })
  try {
    const code = await Promise.race([run, hung])
    if (code === "hung") {
      return {
        code: 1,
        stdout,
        stderr: `${stderr}\n(no end after ${COMMAND_LIMIT_MS} ms: migrate ${args.join(" ")})`,
      }
    }
    return { code, stdout, stderr }
  } finally {
    clearTimeout(timer)
  }
}
