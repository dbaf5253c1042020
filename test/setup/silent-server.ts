// A server that takes requests and never answers them: a database endpoint gone silent, for tests of
// `requestTimeoutMs` that run where the fault proxy cannot (inside workerd). `GET /__open` is the one
// path it answers: how many other requests it holds, so a test can see an abandoned request's
// connection closed by its client. Under `/answers/<how>/` it answers, but not as the protocol says
// (`empty`: a 200 of `{}`; `null`: of `null`; `half`: half a body, then the connection cut; `stall`:
// half a body, then silence, held as above).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { WebSocketServer } from "ws"

export interface SilentServer {
  readonly url: string
  stop(): Promise<void>
}

export async function startSilentServer(): Promise<SilentServer> {
  const held = new Set<IncomingMessage>()
  const sockets = new Set<Socket>()
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url === "/__open") {
      response.setHeader("content-type", "application/json")
      response.end(JSON.stringify({ held: held.size }))
      return
    }
    // `/answers/<how>/...`: an answer not as the protocol says, where the fault proxy cannot reach.
    const how = /^\/answers\/(\w+)\//.exec(request.url ?? "")?.[1]
    if (how === "empty" || how === "null") {
      response.writeHead(200, { "content-type": "application/json" }).end(how === "empty" ? "{}" : "null")
      return
    }
    if (how === "half" || how === "stall") {
      // Headers and the start of a body, then the connection cut (`half`) or silence (`stall`).
      response.writeHead(200, { "content-type": "application/json", "content-length": 100 })
      response.write('{"results": [')
      if (how === "half") {
        response.socket?.destroy()
        return
      }
    }
    held.add(request)
    // Held until the client gives up: its connection closing is the only way out.
    request.socket.once("close", () => held.delete(request))
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  })
  // A WebSocket (Neon's, to `/v2`) is accepted, then never answered: a database gone silent behind its
  // proxy. Counted in `held` until its client lets go of it.
  const webSockets = new WebSocketServer({ noServer: true })
  server.on("upgrade", (request, socket, head) => {
    webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      held.add(request)
      webSocket.once("close", () => held.delete(request))
      socket.once("close", () => held.delete(request))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      webSockets.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
