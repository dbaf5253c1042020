// An HTTP proxy that puts the database far away: every request waits `delayMs` in all (half on the way
// in, half on the way back, as a network splits a round trip), then reaches the local endpoint behind
// it. It counts the requests it forwards per `/s/<scope>/` prefix itself (`GET /__proxy/stats`), so
// that every contender's round trips are counted by the same code, whatever its driver reports.
// The stand-ins' own counters (`/s/<scope>/__stats`) pass through uncounted and undelayed.
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"

export interface DelayProxyOptions {
  readonly delayMs: number
  /** The endpoint (`http://127.0.0.1:PORT`) that serves a scope's requests. */
  readonly upstreamFor: (scope: string | undefined) => string
}

export interface DelayProxy {
  readonly url: string
  stop(): Promise<void>
}

const SCOPE = /^\/s\/([^/]+)\//
/** Hop-by-hop headers (RFC 9110 7.6.1) and the length, which the proxy sets itself. */
const NOT_FORWARDED = new Set(["connection", "keep-alive", "transfer-encoding", "host", "content-length"])

const sleep = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve())

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  const counts: Record<string, number> = {}
  const server = createServer((incoming, outgoing) => {
    const path = incoming.url ?? "/"
    if (path === "/__proxy/stats") {
      outgoing.writeHead(200, { "content-type": "application/json" })
      outgoing.end(JSON.stringify(counts))
      return
    }
    const chunks: Buffer[] = []
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
    incoming.on("end", async () => {
      const scope = SCOPE.exec(path)?.[1]
      const counted = !path.endsWith("/__stats")
      if (counted) counts[scope ?? ""] = (counts[scope ?? ""] ?? 0) + 1
      try {
        if (counted) await sleep(options.delayMs / 2)
        const upstream = new URL(path, options.upstreamFor(scope))
        const answer = await forward(
          agent,
          upstream,
          incoming.method ?? "GET",
          incoming.headers,
          Buffer.concat(chunks),
        )
        if (counted) await sleep(options.delayMs - options.delayMs / 2)
        outgoing.writeHead(answer.status, {
          ...answer.headers,
          "content-length": String(answer.body.byteLength),
        })
        outgoing.end(answer.body)
      } catch (error) {
        outgoing.writeHead(502, { "content-type": "text/plain" })
        outgoing.end(`delay proxy: ${String(error)}`)
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}

function forward(
  agent: Agent,
  url: URL,
  method: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  const sent: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !NOT_FORWARDED.has(name)) sent[name] = value
  }
  sent["content-length"] = String(body.byteLength)
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers: sent, agent }, (response) => {
      const chunks: Buffer[] = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("error", reject)
      response.on("end", () => {
        const received: Record<string, string | string[]> = {}
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined && !NOT_FORWARDED.has(name)) received[name] = value
        }
        resolve({ status: response.statusCode ?? 502, headers: received, body: Buffer.concat(chunks) })
      })
    })
    request.on("error", reject)
    request.end(body)
  })
}
