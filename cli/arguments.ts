// The command line: `migrate <command> [positional] [-m MSG] [--autogenerate] [--from REV]
// [--downgrade] [--config PATH]`.
import { CliError } from "./config.ts"

export interface Arguments {
  readonly command: string
  readonly positional: readonly string[]
  readonly message?: string
  readonly autogenerate: boolean
  readonly merge: boolean
  readonly from?: string
  readonly downgrade: boolean
  readonly config?: string
}

export const USAGE = `Usage: edgealchemy migrate <command> [options]

Commands:
  revision -m MSG [--autogenerate]   write a new revision file (autogenerate: from the models' differences)
  revision -m MSG --merge            write a merge revision joining every head
  upgrade [REV|head|+N]              apply revisions (default: head)
  downgrade REV|-N|base              undo revisions
  current                            the revision(s) the database is at
  history                            every revision, oldest first
  stamp REV|head|base                record a revision as applied without running it
  check                              exit 1 when the models and the database differ
  sql [REV|head] [--from REV]        print the SQL of an upgrade instead of running it
  sql --downgrade REV|-N|base --from REV

Options: --config PATH (default: edgealchemy.config.ts or .json), DATABASE_URL in the environment`

const VALUE_FLAGS = new Set(["-m", "--message", "--from", "--config"])

export function parseArguments(argv: readonly string[]): Arguments {
  const [group, command, ...rest] = argv
  if (group !== "migrate" || !command) throw new CliError(USAGE)
  const positional: string[] = []
  const values: Record<string, string> = {}
  let autogenerate = false
  let downgrade = false
  let merge = false
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string
    if (VALUE_FLAGS.has(arg)) {
      const value = rest[++i]
      if (value === undefined) throw new CliError(`${arg} needs a value`)
      values[arg === "-m" ? "--message" : arg] = value
    } else if (arg === "--autogenerate") autogenerate = true
    else if (arg === "--downgrade") downgrade = true
    else if (arg === "--merge") merge = true
    else if (arg.startsWith("--") || (arg.startsWith("-") && !/^-\d+$/.test(arg)))
      throw new CliError(`Unknown option ${arg}\n\n${USAGE}`)
    else positional.push(arg)
  }
  return {
    command,
    positional,
    autogenerate,
    downgrade,
    merge,
    ...(values["--message"] !== undefined ? { message: values["--message"] } : {}),
    ...(values["--from"] !== undefined ? { from: values["--from"] } : {}),
    ...(values["--config"] !== undefined ? { config: values["--config"] } : {}),
  }
}
