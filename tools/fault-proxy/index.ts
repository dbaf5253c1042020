// fault-proxy: a proxy in front of a local Neon or libSQL endpoint that drops, cuts, fails or hangs
// chosen round trips, to see what a client does when the network fails at the worst moment. It
// relays HTTP requests (Neon's SQL over HTTP, libSQL's Hrana pipelines and baton streams) and Neon's
// WebSocket (PostgreSQL protocol, one round trip per message the client then waits on).
//
//   const proxy = await startFaultProxy({ target: neonLocal.url })
//   proxy.arm("cut", { after: 2 })     // the third round trip from now: applied, its answer lost
//   ... point the driver at proxy.url instead of neonLocal.url ...
//   proxy.log()                        // every round trip relayed, and the fault it got
//
// `npm run fault-proxy -- --target http://127.0.0.1:4444` runs it with an HTTP control API
// (`POST /__fault-proxy/arm {"kind": "cut", "after": 2, "scope": "s1"}`, `GET /__fault-proxy/log`).
import { Agent, createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { WebSocketServer } from "ws"
import { relayHttp } from "./http-relay.ts"
import {
  type ArmOptions,
  FAULT_KINDS,
  type FaultKind,
  FaultPlan,
  type RoundTripRecord,
  scopeOf,
} from "./plan.ts"
import { relayWebSocket } from "./websocket-relay.ts"

export type { ArmOptions, FaultKind, InjectedAnswer, RoundTripRecord } from "./plan.ts"
export { FAULT_KINDS } from "./plan.ts"

export interface FaultProxyOptions {
  /** The endpoint behind the proxy: `http://127.0.0.1:PORT` of neon-local or libsql-local. */
  target: string
  port?: number
  host?: string
  /**
   * How long an idle keep-alive connection stays open (default 100 ms; one that never sends a request,
   * 5 times that), so that open connections at the proxy mean requests in flight, not a client's pool.
   */
  keepAliveTimeoutMs?: number
}

export interface OpenAtProxy {
  /** TCP connections from clients (HTTP, WebSocket included). */
  tcpConnections: number
  /** WebSockets relayed and still open. */
  webSockets: number
  /** Requests or WebSockets left hanging by a `hang` fault, not yet released. */
  hung: number
}

export interface FaultProxy {
  /** `http://HOST:PORT`: use it wherever the endpoint's own URL went. */
  readonly url: string
  readonly port: number
  /** Faults the round trip `after` round trips from now (in `scope` only, when given). */
  arm(kind: FaultKind, options?: ArmOptions): void
  disarm(): void
  /** Armed faults that have not fired yet. */
  readonly pending: number
  log(scope?: string): RoundTripRecord[]
  resetLog(): void
  open(): OpenAtProxy
  /**
   * The network goes silent: from now on nothing passes in either direction, on open WebSockets and
   * new requests alike, and nothing is closed (a server that vanished without a word).
   */
  silence(): void
  /** Ends the silence and closes what hung, as a vanished server's connections end at last. */
  releaseHung(): void
  stop(): Promise<void>
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target)
  const plan = new FaultPlan()
  const agent = new Agent({ keepAlive: true })
  const sockets = new Set<Socket>()
  const webSockets = new Set<{ close(): void; hung: boolean }>()
  const hung = new Set<() => void>()
  let silent = false
  const isSilent = () => silent
  const idleMs = options.keepAliveTimeoutMs ?? 100
  // Idle connections close quickly, those that never send a request too (a client's pool may open one
  // ahead of need), so that what is open at the proxy is what is in flight.
  const server = createServer(
    { headersTimeout: 5 * idleMs, requestTimeout: 10 * idleMs, connectionsCheckingInterval: idleMs },
    (request, response) => {
      serve(request, response).catch(() => request.socket.destroy())
    },
  )
  server.keepAliveTimeout = idleMs
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.url?.startsWith("/__fault-proxy/")) return control(request, response)
    await relayHttp(request, response, {
      plan,
      target,
      agent,
      silent: isSilent,
      hang: (release) => {
        const once = () => {
          hung.delete(once)
          release()
        }
        hung.add(once)
        request.socket.once("close", () => hung.delete(once))
      },
    })
  }

  async function control(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const json = (status: number, body: unknown): void => {
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
    }
    const path = request.url ?? ""
    if (path === "/__fault-proxy/arm" && request.method === "POST") {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      const { kind, ...armOptions } = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}")
      if (!FAULT_KINDS.includes(kind)) return json(400, { message: `kind must be one of ${FAULT_KINDS}` })
      plan.arm(kind, armOptions)
      return json(200, { pending: plan.pending })
    }
    if (path === "/__fault-proxy/disarm" && request.method === "POST") {
      plan.disarm()
      return json(200, { pending: 0 })
    }
    if (path === "/__fault-proxy/log") return json(200, plan.log())
    if (path === "/__fault-proxy/open") return json(200, open())
    json(404, { message: "POST /__fault-proxy/arm|disarm, GET /__fault-proxy/log|open" })
  }

  const wss = new WebSocketServer({ noServer: true })
  server.on("upgrade", (request, socket, head) => {
    const path = request.url ?? "/"
    wss.handleUpgrade(request, socket, head, (client) => {
      const upstreamUrl = `${target.protocol === "https:" ? "wss:" : "ws:"}//${target.host}${path}`
      relayWebSocket(client, upstreamUrl, {
        plan,
        scope: scopeOf(path),
        silent: isSilent,
        track: (pair) => {
          webSockets.add(pair)
          return () => webSockets.delete(pair)
        },
      })
    })
  })

  function open(): OpenAtProxy {
    const hungSockets = [...webSockets].filter((pair) => pair.hung).length
    return { tcpConnections: sockets.size, webSockets: webSockets.size, hung: hung.size + hungSockets }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const host = options.host ?? "127.0.0.1"
  const releaseHung = () => {
    silent = false
    for (const release of [...hung]) release()
    for (const pair of [...webSockets]) if (pair.hung) pair.close()
  }
  return {
    url: `http://${host}:${port}`,
    port,
    arm: (kind, armOptions) => plan.arm(kind, armOptions),
    disarm: () => plan.disarm(),
    get pending() {
      return plan.pending
    },
    log: (scope) => plan.log(scope),
    resetLog: () => plan.resetLog(),
    open,
    silence: () => {
      silent = true
    },
    releaseHung,
    stop: async () => {
      releaseHung()
      for (const pair of [...webSockets]) pair.close()
      wss.close()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      for (const socket of sockets) socket.destroy()
      await closed
      agent.destroy()
    },
  }
}
