// `npm run neon-local -- --port 4444 [--password PW]`: a local Neon endpoint in front of PG_URL.
import { parseArgs } from "node:util"
import { startNeonLocal } from "./index.ts"
import { probeUpstream } from "./upstream-pool.ts"

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4444" },
    host: { type: "string" },
    password: { type: "string" },
  },
})
const upstream = process.env.PG_URL || "postgres://postgres@127.0.0.1:5432/postgres"

const unreachable = await probeUpstream(upstream)
if (unreachable) {
  console.error(
    `neon-local: no PostgreSQL at PG_URL=${upstream.replace(/:[^:@/]*@/, ":***@")} (${unreachable})`,
  )
  process.exit(1)
}

const neon = await startNeonLocal({
  upstream,
  port: Number(values.port),
  ...(values.host ? { host: values.host } : {}),
  ...(values.password ? { password: values.password } : {}),
})
const connection = new URL(upstream)
if (values.password) connection.password = values.password
console.log(`neon-local on ${neon.url}, in front of ${upstream.replace(/:[^:@/]*@/, ":***@")}

Driver settings (@neondatabase/serverless):
  neonConfig.fetchEndpoint = "${neon.fetchEndpoint()}"
  neonConfig.wsProxy = (host, port) => \`${neon.wsProxy()}?address=\${host}:\${port}\`
  neonConfig.useSecureWebSocket = false
  neonConfig.pipelineTLS = false
  neonConfig.pipelineConnect = false
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
