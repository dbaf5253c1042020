// A proxy in front of a stand-in's HTTP endpoint that relays every request to it (so the database does
// the work) and, once armed, mangles the next answer the way a broken network or middlebox does:
// - `stall`: the status and headers arrive, then a first piece of the body, then nothing (the
//   connection stays open, silent, until the client gives up);
// - `half`: half the body arrives, then the connection is closed;
// - `rewrite`: a 200 whose body is what `rewrite` makes of the real one (a wrong shape).
// It counts the client connections it holds open, so a test can see that nothing was left behind.
import { Agent, createServer, request as httpRequest, type IncomingMessage } from "node:http"
import type { AddressInfo, Socket } from "node:net"

export type Mangle =
  | { kind: "stall" }
  | { kind: "half" }
  | { kind: "rewrite"; rewrite: (body: string) => string }

export interface ManglingProxy {
  readonly url: string
  /** Mangles the next relayed answer whose request body contains `when` (default: any). */
  arm(mangle: Mangle, when?: string): void
  /** Client connections open now. */
  open(): number
  /** How many answers were mangled. */
  readonly mangled: number
  stop(): Promise<void>
}

export async function startManglingProxy(target: string): Promise<ManglingProxy> {
  const upstream = new URL(target)
  const agent = new Agent({ keepAlive: false })
  const sockets = new Set<Socket>()
  let armed: { mangle: Mangle; when: string } | undefined
  let mangled = 0

  // A connection that never sends a request (undici opens a fresh one after an aborted request, for
  // its pool) is closed soon, so that what is open here is what a client holds in flight.
  const server = createServer(
    { headersTimeout: 2_000, requestTimeout: 4_000, connectionsCheckingInterval: 100 },
    async (request, response) => {
      const body = await readAll(request)
      const text = body.toString("utf8")
      const mangle =
        armed && text.includes(armed.when) && !/\/__/.test(request.url ?? "") ? armed.mangle : undefined
      if (mangle) {
        armed = undefined
        mangled++
      }
      const answer = await forward(request, body, upstream, agent)
      // Each connection serves one request: a client reusing a kept-alive connection just as the proxy
      // closes it idle would lose a request before it arrives (and an armed mangle with it).
      const headers = {
        "content-type": answer.headers["content-type"] ?? "application/json",
        connection: "close",
      }
      if (!mangle) {
        response
          .writeHead(answer.status, { ...headers, "content-length": answer.body.length })
          .end(answer.body)
        return
      }
      if (mangle.kind === "rewrite") {
        const rewritten = Buffer.from(mangle.rewrite(answer.body.toString("utf8")))
        response.writeHead(200, { ...headers, "content-length": rewritten.length }).end(rewritten)
        return
      }
      response.writeHead(answer.status, { ...headers, "content-length": answer.body.length })
      response.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)))
      // `half`: the rest never comes, the connection ends; `stall`: it stays open, silent.
      if (mangle.kind === "half") response.socket?.destroy()
    },
  )
  server.keepAliveTimeout = 100
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
    // The client ended its side (gave up on a stalled answer): nothing more will come from it.
    // The client gave up on a stalled answer: nothing more will come from it.
    socket.once("end", () => socket.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    arm: (mangle, when = "") => {
      armed = { mangle, when }
    },
    open: () => sockets.size,
    get mangled() {
      return mangled
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on("data", (chunk: Buffer) => chunks.push(chunk))
    stream.on("end", () => resolve(Buffer.concat(chunks)))
    stream.on("error", reject)
  })
}

function forward(request: IncomingMessage, body: Buffer, target: URL, agent: Agent) {
  const headers = { ...request.headers, host: target.host, "content-length": String(body.length) }
  delete headers.connection
  return new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>(
    (resolve, reject) => {
      const out = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers,
          agent,
        },
        (answer) =>
          readAll(answer).then(
            (bytes) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: bytes }),
            reject,
          ),
      )
      out.on("error", reject)
      out.end(body)
    },
  )
}
