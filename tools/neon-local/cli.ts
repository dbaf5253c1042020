// `npx edgealchemy neon-local [--port 4444] [--host 127.0.0.1] [--password PW | --insecure-any-password]
// [--max-connections 20] [--http-query-timeout-ms 15000] [--max-sockets 1000] [--keep-alive-timeout-ms 60000]
// [--max-websocket-message-bytes 67108864]` (the package ships it; `npm run neon-local -- ...` in this
// checkout): a local Neon endpoint in front of PG_URL.
import { parseArgs } from "node:util"
import {
  DEFAULT_HTTP_QUERY_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_SOCKETS,
  DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES,
  startNeonLocal,
} from "./index.ts"
import { probeUpstream } from "./upstream-pool.ts"
import { MAX_WEBSOCKET_MESSAGE_BYTES } from "./websocket-proxy.ts"

const USAGE = `Usage: npx edgealchemy neon-local [--port 4444] [--host 127.0.0.1] [--password PW | --insecure-any-password]
                                  [--max-connections 20] [--http-query-timeout-ms 15000]
                                  [--max-sockets 1000] [--keep-alive-timeout-ms 60000]
                                  [--max-websocket-message-bytes 67108864]

A local Neon endpoint (SQL over HTTP at /sql, the WebSocket proxy at /v2) in front of the PostgreSQL at
PG_URL (default postgres://postgres@127.0.0.1:5432/postgres).

As Neon's proxy, it logs clients in itself: it serves only PG_URL's host (localhost and 127.0.0.1 alike
when that host is a loopback one) and checks the password clients present, then connects to PostgreSQL
with PG_URL's own credentials. The password clients must present is
  --password PW             PW;
  (default)                 the password in PG_URL, or none when PG_URL has none (a trust server);
  --insecure-any-password   any password at all (Neon never does this: throwaway setups only).
A wrong password, a role that does not exist, or another host (Neon: a wrong project) gets Neon's
"password authentication failed for user ..." (SQLSTATE 28P01).

SQL over HTTP runs on at most --max-connections PostgreSQL connections (default 20); a request beyond
them waits up to 30 s for one, then gets PostgreSQL's "sorry, too many clients already" (53300). A
request whose client goes away is cancelled on PostgreSQL, as on Neon. One that runs longer than
--http-query-timeout-ms on its connection (default 15000, the default of Neon's --sql-over-http-timeout;
0 for no limit, as Neon's proxy today, which declares that flag but no longer applies it) is cancelled
too, a batch rolled back, and answered as Neon answered while it applied it: HTTP 504,
"HTTP-Connection timed out, execution time exeeded N seconds". Use the WebSocket proxy (Pool, Client)
for longer work.

At most --max-sockets client connections (HTTP and WebSocket) are open at once; one past them is
answered HTTP 503 with the reason, and closed. An HTTP connection with no request on it for
--keep-alive-timeout-ms (kept alive after an answer, or new and silent) is closed (0: never). A
WebSocket message (the driver sends a query with its parameters in one) is at most
--max-websocket-message-bytes (default 64 MiB, as Neon's proxy; at most 2147483647); a longer one closes
its socket with 1009 (Message Too Big) and the reason.`

function parseOptions() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "4444" },
      host: { type: "string" },
      password: { type: "string" },
      "insecure-any-password": { type: "boolean", default: false },
      "max-connections": { type: "string", default: "20" },
      "http-query-timeout-ms": { type: "string", default: String(DEFAULT_HTTP_QUERY_TIMEOUT_MS) },
      "max-sockets": { type: "string", default: String(DEFAULT_MAX_SOCKETS) },
      "keep-alive-timeout-ms": { type: "string", default: String(DEFAULT_KEEP_ALIVE_TIMEOUT_MS) },
      "max-websocket-message-bytes": {
        type: "string",
        default: String(DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES),
      },
      help: { type: "boolean", short: "h", default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  if (values.password !== undefined && values["insecure-any-password"]) {
    throw new Error("--password and --insecure-any-password exclude each other")
  }
  const maxConnections = Number(values["max-connections"])
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new Error(`--max-connections expects a positive integer, got "${values["max-connections"]}"`)
  }
  const httpQueryTimeoutMs = Number(values["http-query-timeout-ms"])
  if (!Number.isInteger(httpQueryTimeoutMs) || httpQueryTimeoutMs < 0) {
    throw new Error(
      `--http-query-timeout-ms expects milliseconds (0 for no limit), got "${values["http-query-timeout-ms"]}"`,
    )
  }
  const maxSockets = Number(values["max-sockets"])
  if (!Number.isInteger(maxSockets) || maxSockets < 1) {
    throw new Error(`--max-sockets expects a positive integer, got "${values["max-sockets"]}"`)
  }
  const keepAliveTimeoutMs = Number(values["keep-alive-timeout-ms"])
  if (!Number.isInteger(keepAliveTimeoutMs) || keepAliveTimeoutMs < 0) {
    throw new Error(
      `--keep-alive-timeout-ms expects milliseconds (0 for no limit), got "${values["keep-alive-timeout-ms"]}"`,
    )
  }
  const maxWebSocketMessageBytes = Number(values["max-websocket-message-bytes"])
  if (
    !Number.isInteger(maxWebSocketMessageBytes) ||
    maxWebSocketMessageBytes < 1 ||
    maxWebSocketMessageBytes > MAX_WEBSOCKET_MESSAGE_BYTES
  ) {
    throw new Error(
      `--max-websocket-message-bytes expects an integer from 1 to ${MAX_WEBSOCKET_MESSAGE_BYTES}, got "${values["max-websocket-message-bytes"]}"`,
    )
  }
  return {
    ...values,
    maxConnections,
    httpQueryTimeoutMs,
    maxSockets,
    keepAliveTimeoutMs,
    maxWebSocketMessageBytes,
  }
}

let values: ReturnType<typeof parseOptions>
try {
  values = parseOptions()
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
  process.exit(2)
}
const upstream = process.env.PG_URL || "postgres://postgres@127.0.0.1:5432/postgres"
const redacted = upstream.replace(/:[^:@/]*@/, ":***@")

const unreachable = await probeUpstream(upstream)
if (unreachable) {
  console.error(`neon-local: no PostgreSQL at PG_URL=${redacted} (${unreachable})`)
  process.exit(1)
}

const neon = await startNeonLocal({
  upstream,
  port: Number(values.port),
  maxConnections: values.maxConnections,
  httpQueryTimeoutMs: values.httpQueryTimeoutMs,
  maxSockets: values.maxSockets,
  keepAliveTimeoutMs: values.keepAliveTimeoutMs,
  maxWebSocketMessageBytes: values.maxWebSocketMessageBytes,
  ...(values.host ? { host: values.host } : {}),
  ...(values.password === undefined ? {} : { password: values.password }),
  ...(values["insecure-any-password"] ? { anyPassword: true } : {}),
}).catch((error: unknown) => {
  // A port in use is the usual cause: say so in one line, as libsql-local does, not with a stack.
  console.error(
    `neon-local: could not listen on ${values.host ?? "127.0.0.1"}:${values.port}: ${String(error)}`,
  )
  process.exit(1)
})
const connection = new URL(upstream)
if (values.password !== undefined) connection.password = values.password
const password = values["insecure-any-password"]
  ? "any password is accepted (--insecure-any-password)"
  : values.password !== undefined
    ? "the one given with --password"
    : connection.password
      ? "PG_URL's"
      : "none (PG_URL has none); a client presenting one is refused"
console.log(`neon-local on ${neon.url}, in front of ${redacted}
Password: ${password}

edgealchemy settings (a Worker's engine; migrate's config takes the same as neon: { ... }):
  createEngine(url, { fetchEndpoint: "${neon.fetchEndpoint()}",
    wsProxy: (host, port) => \`${neon.wsProxy()}?address=\${host}:\${port}\`, useSecureWebSocket: false })
Driver settings (@neondatabase/serverless), the rest left at its defaults:
  neonConfig.fetchEndpoint = "${neon.fetchEndpoint()}"
  neonConfig.wsProxy = (host, port) => \`${neon.wsProxy()}?address=\${host}:\${port}\`
  neonConfig.useSecureWebSocket = false
  neonConfig.webSocketConstructor = ws   // Node only
Connection string: ${connection.toString()}
Counters: GET ${neon.url}/__stats  (prefix any path with /s/<scope> to count on its own)
Ctrl-C stops it.`)

const stop = async () => {
  await neon.stop()
  process.exit(0)
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
