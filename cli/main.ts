// `edgealchemy migrate <command>`: reads the config, runs the command, and turns errors into one
// readable message and an exit code (1: failed or, for `check`, differences found; 2: bad usage).
import { EdgeAlchemyError } from "edgealchemy"
import { parseArguments, USAGE, wantsHelp } from "./arguments.ts"
import { commands } from "./commands.ts"
import { CliError, loadConfig, unconfigured } from "./config.ts"

export interface CliIo {
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  out(line: string): void
  err(line: string): void
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(USAGE)
    return 0
  }
  try {
    const args = parseArguments(argv)
    const command = commands[args.command]
    if (!command) throw new CliError(`Unknown command "${args.command}"\n\n${USAGE}`)
    // init writes the config, so it must not need to load one.
    const config = args.command === "init" ? unconfigured(io.cwd) : await loadConfig(io.cwd, args.config)
    return await command(args, config, io)
  } catch (error) {
    if (error instanceof CliError) {
      io.err(error.message)
      return 2
    }
    io.err(
      `error: ${error instanceof EdgeAlchemyError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    )
    return 1
  }
}
