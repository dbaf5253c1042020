// A client that sends a request's headers and part of its body, then stalls or trickles the rest: what
// the server answers on that socket, once it answers and closes it.
import { connect } from "node:net"

export interface StalledRequest {
  /** Everything the server sent before it closed the connection. */
  readonly answer: Promise<string>
  /** Stops trickling and closes the socket (whatever the server did). */
  close(): void
}

/**
 * POSTs `path` announcing `length` bytes of body and sends `start` of them; with `trickleEveryMs`, one
 * more byte at that pace, so the body keeps arriving and never ends within the test.
 */
export function stalledRequest(
  port: number,
  path: string,
  options: { headers?: Record<string, string>; start: string; length: number; trickleEveryMs?: number },
): StalledRequest {
  const socket = connect({ host: "127.0.0.1", port })
  socket.on("error", () => undefined)
  const head = Object.entries({ host: `127.0.0.1:${port}`, ...options.headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("")
  socket.write(`POST ${path} HTTP/1.1\r\n${head}content-length: ${options.length}\r\n\r\n${options.start}`)
  let sent = options.start.length
  const trickle =
    options.trickleEveryMs === undefined
      ? undefined
      : setInterval(() => {
          if (sent < options.length - 1 && socket.writable) {
            socket.write(" ")
            sent++
          }
        }, options.trickleEveryMs)
  let received = ""
  socket.on("data", (data) => {
    received += data.toString()
  })
  const answer = new Promise<string>((resolve) =>
    socket.on("close", () => {
      clearInterval(trickle)
      resolve(received)
    }),
  )
  return {
    answer,
    close: () => {
      clearInterval(trickle)
      socket.destroy()
    },
  }
}

/** The status line and the body of a raw HTTP/1.1 answer. */
export function parseAnswer(raw: string): { status: string; headers: string; body: string } {
  const [head = "", body = ""] = raw.split("\r\n\r\n", 2)
  const [status = "", ...lines] = head.split("\r\n")
  const headers = lines.join("\n").toLowerCase()
  return { status, headers, body: headers.includes("transfer-encoding: chunked") ? unchunk(body) : body }
}

function unchunk(body: string): string {
  let text = ""
  let rest = body
  for (;;) {
    const [size = "0", ...after] = rest.split("\r\n")
    const length = Number.parseInt(size, 16)
    if (!(length > 0)) return text
    const data = after.join("\r\n")
    text += data.slice(0, length)
    rest = data.slice(length + 2)
  }
}
