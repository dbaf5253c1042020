// Cancels what an upstream connection is running, as Neon's proxy does when a client goes away (an HTTP
// request, or a WebSocket session: proxy_pass ends with try_cancel_query):
// PostgreSQL's CancelRequest, sent on a new socket with the key the session was given at login. The
// session itself stays open; its statement fails with 57014 (query_canceled), so a statement that was
// waiting on a lock never applies later.
import { connect } from "node:net"
import type pg from "pg"

/** PostgreSQL's CancelRequest code (1234 << 16 | 5678). */
const CANCEL_REQUEST_CODE = 80877102

/** Settles once the CancelRequest is written and PostgreSQL closed the socket, or could not be reached. */
export function cancelRunningQuery(client: pg.Client, host: string, port: number): Promise<void> {
  // node-postgres keeps the BackendKeyData it was sent at login on the client.
  const { processID, secretKey } = client as unknown as { processID: number | null; secretKey: number | null }
  if (processID === null || secretKey === null) return Promise.resolve()
  return sendCancelRequest(host, port, { processID, secretKey })
}

/** A session's BackendKeyData: what a CancelRequest names it by. */
export interface BackendKey {
  processID: number
  secretKey: number
}

/** The BackendKeyData among a login's messages (AuthenticationOk up to ReadyForQuery), if any. */
export function backendKeyOf(greeting: Buffer): BackendKey | undefined {
  for (let at = 0; at + 5 <= greeting.length; at += 1 + greeting.readInt32BE(at + 1)) {
    if (greeting[at] === 0x4b && at + 13 <= greeting.length) {
      return { processID: greeting.readInt32BE(at + 5), secretKey: greeting.readInt32BE(at + 9) }
    }
  }
  return undefined
}

/** Settles once the CancelRequest is written and PostgreSQL closed the socket, or could not be reached. */
export function sendCancelRequest(host: string, port: number, key: BackendKey): Promise<void> {
  const message = Buffer.alloc(16)
  message.writeInt32BE(16, 0)
  message.writeInt32BE(CANCEL_REQUEST_CODE, 4)
  message.writeInt32BE(key.processID, 8)
  message.writeInt32BE(key.secretKey, 12)
  const socket = connect({ host, port })
  // A cancel that cannot be delivered changes nothing: the connection is closed after the request anyway.
  socket.on("error", () => socket.destroy())
  socket.end(message)
  // PostgreSQL closes the socket once it has signalled the backend; nothing is read from it.
  socket.resume()
  return new Promise((resolve) => socket.once("close", () => resolve()))
}
