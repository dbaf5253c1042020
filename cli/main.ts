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
    if (error instanceof ConnectionError && config) {
      const hint = notNeonsEndpoint(config, io.env)
        ? NEON_LOCAL_HINT
        : localEndpointHint(config, io.env, error)
      if (hint) io.err(hint)
    }
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

/**
 * A local endpoint that is not running (the connection refused), or a TLS URL (`libsql://`, `https://`)
 * given to one, which speaks plain HTTP (the handshake fails with OpenSSL's "wrong version number").
 */
function localEndpointHint(config: LoadedConfig, env: NodeJS.ProcessEnv, error: Error): string | undefined {
  const databaseUrl = env[config.url ?? "DATABASE_URL"] ?? ""
  const neon = dialectOfUrl(databaseUrl) === "postgresql"
  const url = neon ? config.neon?.fetchEndpoint : databaseUrl
  const local = typeof url === "string" && /^(\w+):\/\/(localhost|127\.[\d.]+|\[::1\])(?::(\d+))?/i.exec(url)
  if (!local) return undefined
  const [, scheme, host, port] = local
  const text = withCauses(error)
  if (text.includes("ECONNREFUSED")) {
    const start = `npx edgealchemy ${neon ? "neon-local" : "libsql-local"} --port ${port ?? "PORT"}`
    return `Nothing answers at ${host}:${port ?? "its default port"}: start the local endpoint (\`${start}\`), or correct the URL`
  }
  if (/wrong version number/i.test(text) && /^(libsql|https|wss)$/i.test(scheme as string))
    return `${scheme}:// is TLS, which a local endpoint does not speak: use http://${host}${port ? `:${port}` : ""}`
  return undefined
}

/**
 * The message and what its causes add: a bare "fetch failed" says nothing of the refused port. (Neon's
 * errors keep the fetch failure as `sourceError`.)
 */
function withCauses(error: Error): string {
  let text = error.message
  const next = (at: Error): unknown => at.cause ?? (at as { sourceError?: unknown }).sourceError
  let cause = next(error)
  for (let depth = 0; cause instanceof Error && depth < 6; depth++, cause = next(cause)) {
    if (!text.includes(cause.message)) text += `: ${cause.message}`
  }
  return text
}
