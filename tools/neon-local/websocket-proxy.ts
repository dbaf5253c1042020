// The WebSocket-to-TCP proxy of the driver's WebSocket mode (`/v2?address=host:port`). As Neon's proxy
// does, it logs the client in itself, always: it asks for a cleartext password (which the driver, with
// its default `pipelineConnect: "password"`, has sent already, unasked, with its first query behind
// it), checks the host and the password, then logs in upstream with the upstream URL's credentials.
// From AuthenticationOk on, frames pass unchanged in both directions. The client's bytes after its
// password are passed on as they come, a message that spans frames in pieces (FrontendParser's
// `inPieces`): the proxy reads only message headers, to count statements and round trips, and holds
// no message whole, so a message declaring up to PostgreSQL's 1 GB costs it no more than the frames in
// flight (PostgreSQL then reads it, and applies its own limits, as behind Neon's proxy, which copies
// bytes once logged in). It held every message whole before passing it on: a client could make it
// allocate up to 1 GB per connection by declaring a long message and sending it slowly.
import type { Socket } from "node:net"
import { connect } from "node:net"
import type { WebSocket } from "ws"
import { asNeonAuthError, type EndpointAccess, type Refusal } from "./access.ts"
import {
  AWAITS_ANSWER,
  cleartextPasswordRequest,
  type FrontendMessage,
  FrontendParser,
  fatalError,
  MAX_PASSWORD_LENGTH,
  ProtocolViolation,
  passwordOf,
  RUNS_STATEMENT,
  startupUser,
} from "./frontend-messages.ts"
import { type BackendKey, backendKeyOf } from "./query-cancel.ts"
import type { Counter } from "./stats.ts"
import { openUpstream } from "./upstream-handshake.ts"

export interface ProxyContext {
  /** The `address` query parameter: the host the driver connects to, and its port (ignored). */
  address: string
  access: EndpointAccess
  upstream: { host: string; port: number; password: string }
  count: (counter: Counter | "openSockets", by?: number) => void
  /** How long a client may take to log in (PostgreSQL's authentication_timeout: 60 s). */
  loginTimeoutMs: number
  /** Sends PostgreSQL's CancelRequest for the upstream session `key`. */
  cancel: (key: BackendKey) => void
}

type Phase = "startup" | "password" | "connecting" | "open" | "closed"

export function proxyWebSocket(socket: WebSocket, context: ProxyContext): void {
  const host = hostOf(context.address)
  // The first typed message is the password: as PostgreSQL, no longer than 65,535 bytes.
  const parser = new FrontendParser({ firstTypedMaxLength: MAX_PASSWORD_LENGTH, inPieces: true })
  let phase: Phase = "startup"
  let startup: Buffer | undefined
  let upstream: Socket | undefined
  /** The client sent Terminate before the upstream login finished. */
  let terminated = false
  /** The client's last frame ended with a Flush (pg's sync() sends one just before its Sync). */
  let flushed = false
  /** Messages pipelined behind the password, held until the upstream login is done. */
  const pending: FrontendMessage[] = []
  /** Only what reaches PostgreSQL counts as a statement: not a query pipelined behind a wrong password. */
  const forward = (message: FrontendMessage) => {
    if (RUNS_STATEMENT.has(message.type) && message.piece?.first !== false) context.count("statements")
    // PostgreSQL not reading (it is busy sending, or the client sends a COPY faster than it takes it):
    // stop reading the client until it has, rather than hold what the client sends.
    if (upstream?.write(message.bytes) === false && !socket.isPaused) {
      socket.pause()
      upstream.once("drain", () => socket.resume())
    }
  }

  context.count("wsConnections")
  context.count("openSockets")
  /** The upstream session's key, once logged in. */
  let backendKey: BackendKey | undefined
  const close = () => {
    if (phase === "closed") return
    phase = "closed"
    context.count("openSockets", -1)
    // As Neon's proxy_pass ends (try_cancel_query): a statement still running when the client went
    // away is cancelled, not left to run on and commit. Closing the socket alone does not stop it:
    // PostgreSQL notices only when it next reads or writes. An idle session ignores the cancel.
    if (backendKey && !terminated) context.cancel(backendKey)
    upstream?.destroy()
    // Paused (logging in, or PostgreSQL not reading), it would never read the client's closing frame.
    socket.resume()
    socket.close()
  }
  const refuse = (refusal: Refusal) => {
    socket.send(fatalError(refusal.code, refusal.message))
    close()
  }
  socket.on("close", close)
  socket.on("error", close)
  // A client that opens a socket and never logs in holds it no longer than PostgreSQL would.
  const loginDeadline = setTimeout(() => {
    if (phase === "startup" || phase === "password")
      refuse({ code: "08006", message: "timeout expired before the client logged in" })
  }, context.loginTimeoutMs)
  socket.once("close", () => clearTimeout(loginDeadline))

  const logIn = (password: string) => {
    const user = startupUser(startup as Buffer)
    const refusal = context.access.passwordRefusal(user, password)
    if (refusal) return refuse(refusal)
    phase = "connecting"
    // What the client pipelines meanwhile waits in its socket rather than in `pending` (but for the
    // rest of the frames already read): the socket is read again once the login is done.
    socket.pause()
    openUpstream({ ...context.upstream, startup: startup as Buffer, user }).then(
      (session) => {
        if (phase === "closed") return void session.socket.destroy()
        upstream = session.socket
        backendKey = backendKeyOf(session.greeting)
        phase = "open"
        clearTimeout(loginDeadline)
        passOnWithBackpressure(upstream, socket)
        upstream.on("error", close)
        upstream.on("close", close)
        socket.send(session.greeting)
        for (const message of pending.splice(0)) forward(message)
        // Read the client again, once PostgreSQL has taken what it sent meanwhile.
        if (upstream.writableNeedDrain) upstream.once("drain", () => socket.resume())
        else socket.resume()
        if (terminated) upstream.end(() => close())
      },
      (error: { code: string; message: string }) => refuse(asNeonAuthError(error, user)),
    )
  }

  const handle = (message: FrontendMessage) => {
    if (phase === "open") return forward(message)
    if (phase === "connecting") return void pending.push({ ...message, bytes: Buffer.from(message.bytes) })
    if (phase === "password") {
      if (message.type === "p") return logIn(passwordOf(message.bytes))
      return refuse({ code: "08P01", message: "expected a password message after the startup" })
    }
    if (message.type === "ssl") return void socket.send(Buffer.from("N"))
    if (message.type === "cancel") return cancel(message.bytes)
    // Neon finds the endpoint by its host before it asks for a password.
    const unknownHost = context.access.hostRefusal(host, startupUser(message.bytes))
    if (unknownHost) return refuse(unknownHost)
    startup = Buffer.from(message.bytes)
    phase = "password"
    socket.send(cleartextPasswordRequest())
  }

  // A CancelRequest names a backend by the key PostgreSQL gave it: pass it on, as any proxy does.
  const cancel = (request: Buffer) => {
    if (context.access.servesHost(host)) {
      connect(context.upstream)
        .on("error", () => undefined)
        .end(Buffer.from(request))
    }
    close()
  }

  socket.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    // Neon's proxy reads PostgreSQL's protocol from binary frames only: a text frame is an I/O error
    // that ends the connection (serverless/websocket.rs: "unexpected text message in the websocket").
    if (!isBinary) return close()
    const frame = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
    let messages: FrontendMessage[]
    try {
      messages = parser.push(frame)
    } catch (error) {
      if (!(error instanceof ProtocolViolation)) throw error
      return refuse({ code: "08P01", message: error.message })
    }
    // A message in pieces counts once, as its last piece arrives: what the client then waits on.
    const ended = messages.filter((m) => m.piece?.last !== false)
    // node-postgres's sync() writes a Flush and then a Sync, each in a frame of its own, without
    // waiting between them: one round trip, as the Sync's answer is what the client waits for.
    const awaiting = ended.filter((m) => AWAITS_ANSWER.has(m.type))
    const syncAfterFlush = flushed && awaiting.length > 0 && awaiting.every((m) => m.type === "S")
    if (awaiting.length > 0 && !syncAfterFlush) context.count("wsRoundTrips")
    const last = messages.at(-1)
    if (last) flushed = last.type === "H" && last.piece?.last !== false
    for (const message of messages) {
      if (phase === "closed") return
      handle(message)
    }
    // Client.end() sends Terminate and waits for the server to close: do it for both sides.
    if (last?.type === "X" && last.piece?.last !== false) {
      terminated = true
      if (phase === "open") upstream?.end(() => close())
      else if (phase !== "connecting") close()
    }
  })
}

/**
 * The longest WebSocket message a client may send (`maxWebSocketMessageBytes`): 64 MiB, as Neon's proxy
 * (framed_websockets refuses a frame of 64 MiB or more) and libsql-local's. The driver sends its writes (a
 * tick's, coalesced) in one frame, PostgreSQL messages whole (a query with its parameters: many rows, a
 * large value), so it bounds one statement sent at once; ws's own default was 100 MiB. A message is read
 * whole before it is passed on, so this bounds what one socket makes the proxy hold. Neon's limit is
 * per frame; here a message sent in fragments counts whole (the driver does not fragment).
 */
export const DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES = 64 * 1024 * 1024
/** ws reads its limit as a 32-bit integer: past this it would take no limit at all. */
export const MAX_WEBSOCKET_MESSAGE_BYTES = 2 ** 31 - 1

/**
 * A client whose message passes the limit gets 1009 (Message Too Big) with the reason: ws reads the
 * frame's declared length, closes before it reads the payload, and gives no reason (its receiver calls
 * close(1009)), which left a client to guess what was too big and how to raise it. The reason fits a
 * close frame (123 bytes) for any limit.
 */
export function explainMessageTooBig(socket: WebSocket, maxBytes: number): void {
  const reason = `message over ${maxBytes} bytes: neon-local's limit (maxWebSocketMessageBytes, --max-websocket-message-bytes)`
  const close = socket.close.bind(socket)
  socket.close = (code?: number, data?: string | Buffer) =>
    close(code, code === 1009 && data === undefined ? reason : data)
}

/** What the proxy holds for a client that does not read before it stops reading PostgreSQL. */
const MAX_UNSENT_BYTES = 1024 * 1024

/**
 * PostgreSQL's bytes to the client, no faster than the client reads them, as Neon's proxy copies
 * between the two sockets: past MAX_UNSENT_BYTES not yet written to the client's socket, reading from
 * PostgreSQL stops (it then waits to write, ClientWrite) until they are. Without it a client that asks
 * for a large result and stops reading made the proxy hold all of it in memory.
 */
function passOnWithBackpressure(upstream: Socket, socket: WebSocket): void {
  // Called as each frame is written out, in order: the last one's leaves the buffer empty.
  const written = () => {
    if (upstream.isPaused() && socket.bufferedAmount <= MAX_UNSENT_BYTES / 2) upstream.resume()
  }
  upstream.on("data", (data) => {
    socket.send(data, written)
    if (socket.bufferedAmount > MAX_UNSENT_BYTES) upstream.pause()
  })
}

/** The host of `host:port`, `[v6]:port` or a bare host. */
function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(address)
  if (bracketed) return bracketed[1] as string
  const colon = address.lastIndexOf(":")
  return colon === -1 ? address : address.slice(0, colon)
}
