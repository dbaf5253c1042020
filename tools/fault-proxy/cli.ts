// `npm run fault-proxy -- --target http://127.0.0.1:4444 [--port 5555]`: the fault proxy in front of a
// local endpoint, armed over HTTP: `curl -X POST localhost:5555/__fault-proxy/arm -d '{"kind":"cut"}'`.
import { parseArgs } from "node:util"
import { FAULT_KINDS, startFaultProxy } from "./index.ts"

const { values } = parseArgs({
  options: {
    target: { type: "string" },
    port: { type: "string", default: "5555" },
    host: { type: "string", default: "127.0.0.1" },
  },
})
if (!values.target) {
  console.error(
    "fault-proxy: --target http://HOST:PORT (the neon-local or libsql-local to stand in front of)",
  )
  process.exit(2)
}
const proxy = await startFaultProxy({ target: values.target, port: Number(values.port), host: values.host })
console.log(`fault-proxy on ${proxy.url}, in front of ${values.target}

Point the driver at ${proxy.url} instead of ${values.target} (same paths), then:
  POST ${proxy.url}/__fault-proxy/arm     {"kind": "${FAULT_KINDS.join('" | "')}", "after": 0, "scope": "optional"}
  POST ${proxy.url}/__fault-proxy/disarm
  GET  ${proxy.url}/__fault-proxy/log     every round trip relayed, and the fault it got
  GET  ${proxy.url}/__fault-proxy/open    connections, WebSockets and hung round trips open now
Ctrl-C stops it.`)

const stop = async () => {
  await proxy.stop()
  process.exit(0)
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
