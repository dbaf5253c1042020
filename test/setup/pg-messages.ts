// PostgreSQL protocol messages as a client writes them, for the tests that speak to neon-local's
// WebSocket proxy byte by byte (its framing, limits and counting).

/** ReadyForQuery, idle: what the server sends when a statement or the login is done. */
export const READY = Buffer.from("Z\0\0\0\u0005I")

/** A typed frontend message: its type byte, its length (itself included) and `payload`. */
export function message(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.write(type, 0)
  header.writeInt32BE(payload.length + 4, 1)
  return Buffer.concat([header, payload])
}

/** The StartupMessage of protocol 3.0 for `user` and `database`. */
export function startup(user: string, database: string): Buffer {
  const body = Buffer.from(`user\0${user}\0database\0${database}\0\0`, "utf8")
  const header = Buffer.alloc(8)
  header.writeInt32BE(body.length + 8, 0)
  header.writeInt32BE(196608, 4)
  return Buffer.concat([header, body])
}
