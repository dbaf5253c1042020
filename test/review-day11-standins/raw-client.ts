// A raw TCP client of a stand-in, and waits on what it sees: for the tests of the stand-ins' socket
// limits (libsql-sockets.test.ts, neon-sockets.test.ts).
import { connect, type Socket } from "node:net"

export interface RawClient {
  socket: Socket
  received: () => string
  closed: Promise<void>
  isClosed: () => boolean
}

export function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    let received = ""
    let isClosed = false
    const socket = connect(port, "127.0.0.1")
    const closed = new Promise<void>((done) =>
      socket.once("close", () => {
        isClosed = true
        done()
      }),
    )
    socket.on("data", (data) => {
      received += data.toString("latin1")
    })
    socket.on("error", () => undefined)
    socket.once("connect", () =>
      resolve({ socket, received: () => received, closed, isClosed: () => isClosed }),
    )
    socket.once("error", reject)
  })
}

export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10))
}

/** Resolves "closed" once `closed` does, or says what stayed open after 10 s (the old server's way). */
export function closedOrStillOpen(closed: Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    closed.then(() => "closed"),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve("still open after 10 s"), 10_000)
    }),
  ]).finally(() => clearTimeout(timer))
}
