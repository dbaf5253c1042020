// Relays one HTTP request (Neon's `POST /sql`, libSQL's Hrana pipeline) to the endpoint behind the
// proxy, unless the plan faults it. The endpoints' own paths (`/__stats`, `/__streams`...) pass
// through without counting as round trips.
import { type Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http"
import { type FaultPlan, type InjectedAnswer, scopeOf } from "./plan.ts"

export interface HttpRelayContext {
  readonly plan: FaultPlan
  readonly target: URL
  readonly agent: Agent
  /** Whether the network is silent (`silence()`): requests get no answer. */
  readonly silent: () => boolean
  /** Registers a request left hanging, so the proxy can count and release it. */
  readonly hang: (release: () => void) => void
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "upgrade"])

export async function relayHttp(
  request: IncomingMessage,
  response: ServerResponse,
  context: HttpRelayContext,
): Promise<void> {
  const body = await readBody(request)
  const path = request.url ?? "/"
  const endpointOwn = /(^|\/)__[a-z]/.test(new URL(path, "http://proxy").pathname)
  const fired = endpointOwn
    ? undefined
    : context.plan.fire("http", scopeOf(path), `${request.method} ${path} ${body.toString("utf8", 0, 120)}`)
  const fault = fired?.kind
  if (fault === "drop") return void request.socket.destroy()
  if (fault === "fail") {
    if (fired?.answer) return inject(response, fired.answer)
    const message = "fault-proxy: injected failure (HTTP 503)"
    response.writeHead(503, { "content-type": "text/plain", connection: "close" }).end(message)
    return
  }
  if (fault === "hang" || (context.silent() && !endpointOwn))
    return context.hang(() => request.socket.destroy())

  const answer = await forward(request, path, body, context)
  // `cut`: the endpoint answered, so the database did the work; the client never hears of it, or hears
  // the answer the fault was armed with.
  if (fault === "cut") return fired?.answer ? inject(response, fired.answer) : void request.socket.destroy()
  const headers = Object.fromEntries(
    Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())),
  )
  response.writeHead(answer.status, { ...headers, "content-length": answer.body.length }).end(answer.body)
}

function inject(response: ServerResponse, answer: InjectedAnswer): void {
  const contentType = answer.contentType ?? "application/json"
  response.writeHead(answer.status, { "content-type": contentType, connection: "close" }).end(answer.body)
}

interface Forwarded {
  status: number
  headers: IncomingMessage["headers"]
  body: Buffer
}

function forward(request: IncomingMessage, path: string, body: Buffer, context: HttpRelayContext) {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())),
  )
  return new Promise<Forwarded>((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: context.target.hostname,
        port: context.target.port,
        method: request.method,
        path,
        headers: { ...headers, "content-length": body.length },
        agent: context.agent,
      },
      (answer) => {
        readBody(answer).then(
          (bytes) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: bytes }),
          reject,
        )
      },
    )
    upstream.on("error", reject)
    upstream.end(body)
  })
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on("data", (chunk: Buffer) => chunks.push(chunk))
    stream.on("end", () => resolve(Buffer.concat(chunks)))
    stream.on("error", reject)
  })
}
