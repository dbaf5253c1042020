// Points the Neon driver at neon-local, as an app does (neon-local prints these lines when it starts):
// SQL over HTTP at its /sql, WebSockets through its /v2 proxy, no TLS on loopback; Node 20 has no global
// WebSocket, so `ws`. Everything else, `pipelineConnect: "password"` included, stays at the defaults.
import { neonConfig } from "@neondatabase/serverless"
import ws from "ws"

const proxy = process.env.NEON_LOCAL_WS_PROXY
neonConfig.fetchEndpoint = process.env.NEON_LOCAL_FETCH_ENDPOINT as string
neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`
neonConfig.useSecureWebSocket = false
neonConfig.webSocketConstructor = ws
