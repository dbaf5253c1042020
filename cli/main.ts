// `edgealchemy migrate <command>`: reads the config, runs the command, and turns errors into one
// readable message and an exit code (1: failed or, for `check`, differences found; 2: bad usage).
import { ConnectionError, EdgeAlchemyError } from "edgealchemy"
import { parseArguments, USAGE, wantsHelp } from "./arguments.ts"
import { commands } from "./commands.ts"
import { CliError, type LoadedConfig, loadConfig, unconfigured } from "./config.ts"
import { dialectOfUrl } from "./database.ts"

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
  let config: LoadedConfig | undefined
  try {
    const args = parseArguments(argv)
    const command = commands[args.command]
    if (!command) throw new CliError(`Unknown command "${args.command}"\n\n${USAGE}`)
    // init writes the config, so it must not need to load one.
    config = args.command === "init" ? unconfigured(io.cwd) : await loadConfig(io.cwd, args.config)
    return await command(args, config, io)
  } catch (error) {
    if (error instanceof CliError) {
      io.err(error.message)
      return 2
    }
    io.err(
      `error: ${error instanceof EdgeAlchemyError ? withCauses(error) : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    )
    if (error instanceof ConnectionError && config && notNeonsEndpoint(config, io.env))
      io.err(NEON_LOCAL_HINT)
    return 1
  }
}

const NEON_LOCAL_HINT =
  "A PostgreSQL URL is reached through Neon's SQL-over-HTTP endpoint, which a plain PostgreSQL has not: " +
  "run `npx edgealchemy neon-local` in front of it and give the config the endpoint it prints, " +
  'neon: { fetchEndpoint: "http://127.0.0.1:4444/sql" }'

/** A PostgreSQL URL with no endpoint configured: the driver asks Neon's own host for its database. */
function notNeonsEndpoint(config: LoadedConfig, env: NodeJS.ProcessEnv): boolean {
  const url = env[config.url ?? "DATABASE_URL"] ?? ""
  return dialectOfUrl(url) === "postgresql" && !config.neon?.fetchEndpoint && !/\.neon\.tech\b/i.test(url)
}

/** The message and what its causes add: a bare "fetch failed" says nothing of the refused port. */
function withCauses(error: Error): string {
  let text = error.message
  let cause = error.cause
  for (let depth = 0; cause instanceof Error && depth < 5; depth++, cause = cause.cause) {
    if (!text.includes(cause.message)) text += `: ${cause.message}`
  }
  return text
}
