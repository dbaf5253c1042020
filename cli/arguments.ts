// The command line: `migrate <command> [target] [options]`, parsed by node:util's parseArgs (strict:
// an unknown option is an error), then checked against what each command takes.
import { parseArgs } from "node:util"
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
  init                               write edgealchemy.config.ts and the migrations/ folder
  revision -m MSG [--autogenerate]   write a new revision file (autogenerate: from the models' differences)
  revision -m MSG --merge            write a merge revision joining every head
  upgrade [REV|head|heads|+N]        apply revisions (default: head; heads: every branch)
  downgrade REV|-N|base              undo revisions
  current                            the revision(s) the database is at
  history                            every revision, oldest first
  stamp REV|head|heads|base          record a revision as applied without running it
  check                              exit 1 when the models and the database differ
  sql [REV|head] [--from REV]        print the SQL of an upgrade instead of running it
  sql --downgrade REV|-N|base --from REV

Options: --config PATH (default: edgealchemy.config.ts or .json), DATABASE_URL in the environment

Local endpoints for development: edgealchemy libsql-local --help (Turso), edgealchemy neon-local --help (Neon)`

const OPTIONS = {
  message: { type: "string", short: "m" },
  autogenerate: { type: "boolean", default: false },
  merge: { type: "boolean", default: false },
  from: { type: "string" },
  downgrade: { type: "boolean", default: false },
  config: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const

type OptionName = keyof typeof OPTIONS

/** What each command takes besides `--config`: its options and how many positional arguments. */
const COMMANDS: Record<string, { options: readonly OptionName[]; positionals: number }> = {
  init: { options: [], positionals: 0 },
  revision: { options: ["message", "autogenerate", "merge"], positionals: 0 },
  upgrade: { options: [], positionals: 1 },
  downgrade: { options: [], positionals: 1 },
  current: { options: [], positionals: 0 },
  history: { options: [], positionals: 0 },
  stamp: { options: [], positionals: 1 },
  check: { options: [], positionals: 0 },
  sql: { options: ["from", "downgrade"], positionals: 1 },
}

/** `downgrade -1`: a relative target, which parseArgs would take for an option named "1". */
const RELATIVE_TARGET = /^-\d+$/

export function parseArguments(argv: readonly string[]): Arguments {
  const { values, positionals, tokens } = parse(argv)
  const [group, command, ...positional] = positionals
  if (group !== undefined && group !== "migrate") throw new CliError(`Unknown command "${group}"\n\n${USAGE}`)
  if (!command) throw new CliError(USAGE)
  const accepts = COMMANDS[command]
  if (!accepts) throw new CliError(`Unknown command "${command}"\n\n${USAGE}`)
  for (const token of tokens) {
    if (token.kind !== "option" || token.name === "config" || token.name === "help") continue
    if (!accepts.options.includes(token.name as OptionName))
      throw new CliError(`${command} does not take ${token.rawName}\n\n${USAGE}`)
  }
  if (positional.length > accepts.positionals) {
    const extra = positional.slice(accepts.positionals).join(" ")
    throw new CliError(`${command} takes ${accepts.positionals || "no"} argument(s); unexpected: ${extra}`)
  }
  return {
    command,
    positional,
    autogenerate: values.autogenerate,
    downgrade: values.downgrade,
    merge: values.merge,
    ...(values.message !== undefined ? { message: values.message } : {}),
    ...(values.from !== undefined ? { from: values.from } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
  }
}

/** True for `--help`, `-h` and `help` anywhere: the usage wins over any other mistake on the line. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === "--help" || arg === "-h" || arg === "help")
}

function parse(argv: readonly string[]) {
  // Relative targets go after `--`, where parseArgs reads everything as positional. Each command
  // takes at most one positional argument, so their order among positionals does not matter.
  const end = argv.indexOf("--")
  const options = end === -1 ? argv : argv.slice(0, end)
  const targets = options.filter((arg) => RELATIVE_TARGET.test(arg))
  const args =
    targets.length === 0
      ? argv
      : [
          ...options.filter((arg) => !RELATIVE_TARGET.test(arg)),
          "--",
          ...targets,
          ...argv.slice(options.length + 1),
        ]
  try {
    return parseArgs({
      args: [...args],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
      tokens: true,
    })
  } catch (error) {
    throw new CliError(`${parseErrorMessage(error)}\n\n${USAGE}`)
  }
}

/** parseArgs' message, without its advice about `--` (meant for positionals, not for typos). */
function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const unknown = /^Unknown option '([^']+)'/.exec(message)
  return unknown ? `Unknown option ${unknown[1]}` : message
}
