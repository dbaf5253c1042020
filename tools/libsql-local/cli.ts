// `npx edgealchemy libsql-local [--port 8080] [--host 127.0.0.1] [--auth-token T] [--statement-timeout-ms 60000]
// [--max-sockets 1000] [--keep-alive-timeout-ms 60000] [path/to.db]` (the package ships it; `npm run libsql-local -- ...` in this checkout)
// A local Turso endpoint for development: point edgealchemy's libSQL engine or @libsql/client at the printed URL.
import { parseArgs } from "node:util"
import { DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_MAX_SOCKETS } from "../socket-limits.ts"
import { DEFAULT_STATEMENT_TIMEOUT_MS, startLibsqlLocal } from "./index.ts"

const USAGE = `Usage: npx edgealchemy libsql-local [--port 8080] [--host 127.0.0.1] [--auth-token TOKEN]
                                    [--stream-expiry-ms 10000] [--statement-timeout-ms 60000]
                                    [--max-concurrent-connections 128] [--max-sockets 1000]
                                    [--keep-alive-timeout-ms 60000] [path/to/database.db]
Without a path, the database is a temporary file deleted when the server stops. Hrana over WebSocket
(a ws:// URL, protocol hrana2) is served on the same port.
A statement running longer than --statement-timeout-ms is interrupted (SQLITE_INTERRUPT; 0: no limit),
and so is one whose client went away, as sqld does. At most --max-concurrent-connections streams are
open at once (each holds a connection); a new one waits 1 s for one to end, then gets HTTP 429, as on sqld.
At most --max-sockets client connections (HTTP and WebSocket) are open at once; one past them is
answered HTTP 503 with the reason, and closed. An HTTP connection with no request on it for
--keep-alive-timeout-ms (kept alive after an answer, or new and silent) is closed (0: never, as sqld).`

function parseOptions() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      "auth-token": { type: "string" },
      "stream-expiry-ms": { type: "string", default: "10000" },
      "statement-timeout-ms": { type: "string", default: String(DEFAULT_STATEMENT_TIMEOUT_MS) },
      "max-concurrent-connections": { type: "string", default: "128" },
      "max-sockets": { type: "string", default: String(DEFAULT_MAX_SOCKETS) },
      "keep-alive-timeout-ms": { type: "string", default: String(DEFAULT_KEEP_ALIVE_TIMEOUT_MS) },
      help: { type: "boolean", short: "h", default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  if (positionals.length > 1)
    throw new Error(`Expected at most one database path, got: ${positionals.join(" ")}`)
  return {
    port: integerOption("--port", values.port),
    host: values.host,
    streamExpiryMs: integerOption("--stream-expiry-ms", values["stream-expiry-ms"]),
    statementTimeoutMs: integerOption("--statement-timeout-ms", values["statement-timeout-ms"]),
    maxConcurrentConnections: integerOption(
      "--max-concurrent-connections",
      values["max-concurrent-connections"],
    ),
    maxSockets: positiveIntegerOption("--max-sockets", values["max-sockets"]),
    keepAliveTimeoutMs: integerOption("--keep-alive-timeout-ms", values["keep-alive-timeout-ms"]),
    ...(values["auth-token"] === undefined ? {} : { authToken: values["auth-token"] }),
    ...(positionals[0] === undefined ? {} : { path: positionals[0] }),
  }
}

function integerOption(name: string, value: string): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`${name} expects a non-negative integer, got "${value}"`)
  return parsed
}

function positiveIntegerOption(name: string, value: string): number {
  const parsed = integerOption(name, value)
  if (parsed === 0) throw new Error(`${name} expects a positive integer, got "${value}"`)
  return parsed
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseOptions>
  try {
    options = parseOptions()
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
    process.exit(2)
  }
  const local = await startLibsqlLocal(options)
  const database = options.path ?? `${local.path} (temporary, deleted on exit)`
  const token = options.authToken === undefined ? "" : `, authToken: ${JSON.stringify(options.authToken)}`
  console.log(`libsql-local: Hrana over HTTP at ${local.url}, database ${database}`)
  const engineOptions =
    options.authToken === undefined ? "" : `, { authToken: ${JSON.stringify(options.authToken)} }`
  console.log(`edgealchemy: createEngine("${local.url}"${engineOptions}) from "edgealchemy/libsql"`)
  console.log(`Client settings (@libsql/client or @libsql/client/web):`)
  console.log(`  createClient({ url: "${local.url}"${token}, intMode: "bigint" })`)
  console.log(
    `  or LIBSQL_URL=${local.url}${options.authToken === undefined ? "" : ` LIBSQL_AUTH_TOKEN=${options.authToken}`}`,
  )
  console.log(`Counters: GET ${local.url}/__stats (DELETE resets). Ctrl-C stops.`)

  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    console.log(`libsql-local: ${signal}, stopping`)
    local.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("libsql-local: failed to stop cleanly:", error)
        process.exit(1)
      },
    )
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error)
  // startLibsqlLocal's own errors name it already.
  console.error(message.startsWith("libsql-local") ? message : `libsql-local: ${message}`)
  process.exit(1)
})
