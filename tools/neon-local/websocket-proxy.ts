// The WebSocket-to-TCP proxy of the driver's WebSocket mode (`/v2?address=host:port`). Binary frames
// go to PostgreSQL and back unchanged, except that with a password set the proxy authenticates the
// client itself, in cleartext, as Neon's proxy does, before the upstream (which trusts) sees it.
import { connect, type Socket } from "node:net"
import type { WebSocket } from "ws"
import {
  AWAITS_ANSWER,
  cleartextPasswordRequest,
  FrontendParser,
  fatalError,
  passwordOf,
  RUNS_STATEMENT,
  startupUser,
} from "./frontend-messages.ts"
import type { Counter } from "./stats.ts"

export interface ProxyContext {
  address: string
  password: string | undefined
  count: (counter: Counter | "openSockets", by?: number) => void
}

export function proxyWebSocket(socket: WebSocket, context: ProxyContext): void {
  const [host, port] = splitAddress(context.address)
  const upstream: Socket = connect({ host, port })
  const parser = new FrontendParser()
  /** With a password: the startup held back until the password checks out. */
  let heldStartup: Buffer | undefined
  let authenticated = context.password === undefined
  let closed = false

  context.count("wsConnections")
  context.count("openSockets")
  const close = () => {
    if (closed) return
    closed = true
    context.count("openSockets", -1)
    upstream.destroy()
    socket.close()
  }

  upstream.on("data", (data) => socket.send(data))
  upstream.on("error", close)
  upstream.on("close", close)
  socket.on("close", close)
  socket.on("error", close)

  socket.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
    const frame = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
    const messages = parser.push(frame)
    if (messages.some((m) => AWAITS_ANSWER.has(m.type))) context.count("wsRoundTrips")
    const statements = messages.filter((m) => RUNS_STATEMENT.has(m.type)).length
    if (statements) context.count("statements", statements)
    for (const message of messages) {
      if (authenticated) {
        upstream.write(message.bytes)
      } else if (message.type === "ssl") {
        socket.send(Buffer.from("N"))
      } else if (message.type === "startup") {
        heldStartup = Buffer.from(message.bytes)
        socket.send(cleartextPasswordRequest())
      } else if (message.type === "p" && heldStartup) {
        if (passwordOf(message.bytes) !== context.password) {
          const user = startupUser(heldStartup)
          socket.send(fatalError("28P01", `password authentication failed for user "${user}"`))
          close()
          return
        }
        authenticated = true
        upstream.write(heldStartup)
      }
    }
    // Client.end() sends Terminate and waits for the server to close: do it for both sides.
    if (messages.at(-1)?.type === "X") upstream.end(() => close())
  })
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(":")
  return colon === -1 ? [address, 5432] : [address.slice(0, colon), Number(address.slice(colon + 1))]
}
