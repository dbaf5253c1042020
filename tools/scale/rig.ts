// A rig for the scale scripts: neon-local (HTTP and WebSocket) and libsql-local in front of a scratch
// PostgreSQL database and a temporary SQLite file, with an engine per transport.
import ws from "ws"
import { createEngine, type Engine } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { withScratchDatabase } from "../bench/support/scratch-database.ts"
import { startLibsqlLocal } from "../libsql-local/index.ts"
import { startNeonLocal } from "../neon-local/index.ts"

export type TransportName = "neon-http" | "neon-websocket" | "libsql-http"

export interface Rig {
  engine(transport: TransportName): Engine
  requests(transport: TransportName): number
}

export async function withRig<T>(use: (rig: Rig) => Promise<T>): Promise<T> {
  return withScratchDatabase(async (url) => {
    const neonLocal = await startNeonLocal({ upstream: url, port: 0 })
    const libsqlLocal = await startLibsqlLocal({ port: 0 })
    const base = neonLocal.url.replace(/^http:\/\//, "")
    try {
      return await use({
        engine: (transport) =>
          transport === "libsql-http"
            ? createEngine(`${libsqlLocal.url}/s/scale/`, { driver: libsql() })
            : createEngine(url, {
                driver: neon({
                  fetchEndpoint: neonLocal.fetchEndpoint("scale"),
                  wsProxy: (host, port) => `${base}/s/scale/v2?address=${host}:${port}`,
                  useSecureWebSocket: false,
                  pipelineConnect: false,
                  coalesceWrites: false,
                  webSocketConstructor: ws,
                  mode: transport === "neon-http" ? "http" : "websocket",
                }),
              }),
        requests: (transport) =>
          transport === "libsql-http"
            ? libsqlLocal.stats("scale").httpRequests
            : neonLocal.stats("scale").httpRequests,
      })
    } finally {
      await Promise.all([neonLocal.stop(), libsqlLocal.stop()])
    }
  })
}
