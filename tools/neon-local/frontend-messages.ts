// Splits the client-to-server half of the PostgreSQL protocol into messages, across WebSocket frames.
// The first message has no type byte (StartupMessage, or an SSLRequest before it); every later one
// is a type byte and an Int32 length that counts itself.

export interface FrontendMessage {
  /** The type byte as a character; "ssl", "startup" or "cancel" for the untyped first messages. */
  type: string
  /** The whole message, type byte and length included; with `inPieces`, a piece of it. */
  bytes: Buffer
  /** Only with `inPieces`, for a message whose bytes had not all arrived: whether `bytes` begins it
   *  (the type byte and length are in it) and whether it ends it. Absent: `bytes` is the whole message. */
  piece?: { first: boolean; last: boolean }
}

const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104
const CANCEL_REQUEST = 80877102

/** A message whose length cannot be (PostgreSQL answers 08P01 and closes the connection). */
export class ProtocolViolation extends Error {}

/** PostgreSQL's bounds for the startup packet's length (MAX_STARTUP_PACKET_LENGTH). */
const STARTUP_LENGTH = { min: 8, max: 10_000 }

/** PostgreSQL's largest message (PQ_LARGE_MESSAGE_LIMIT, 1 GB - 2): a longer one is refused at once. */
const MAX_MESSAGE_LENGTH = 0x3ffffffe

/** PostgreSQL's limit on the password message (PG_MAX_AUTH_TOKEN_LENGTH). */
export const MAX_PASSWORD_LENGTH = 65_535

export class FrontendParser {
  #buffer: Buffer = Buffer.alloc(0)
  /** Chunks that arrived after #buffer, joined to it only once the message they continue is whole:
   *  joining at every chunk copied a large message's bytes once per chunk (quadratic time). */
  #pending: Buffer[] = []
  #pendingBytes = 0
  /** Bytes #buffer needs before its first message can be complete. */
  #needed = 0
  #startupDone = false
  #typedSeen = false
  readonly #firstTypedMaxLength: number
  readonly #inPieces: boolean
  /** With `inPieces`: the type of the message being passed on in pieces, and its bytes yet to come. */
  #open: { type: string; remaining: number } | undefined

  /** `firstTypedMaxLength`: the longest first typed message (where it must be the password: a client
   *  that has not logged in cannot make the proxy hold a message of up to 1 GB). `inPieces`: every typed
   *  message after the first one is returned as its bytes arrive, in pieces when it spans frames, so
   *  that the parser holds no more than a message header (up to 4 bytes) between frames, whatever
   *  length a message declares. The first typed message, and the untyped ones, still come whole. */
  constructor({
    firstTypedMaxLength = MAX_MESSAGE_LENGTH,
    inPieces = false,
  }: { firstTypedMaxLength?: number; inPieces?: boolean } = {}) {
    this.#firstTypedMaxLength = firstTypedMaxLength
    this.#inPieces = inPieces
  }

  /** Feeds a frame; returns the messages it completes. Throws ProtocolViolation on a bad length. */
  push(chunk: Buffer): FrontendMessage[] {
    this.#pending.push(chunk)
    this.#pendingBytes += chunk.length
    if (this.#buffer.length + this.#pendingBytes < this.#needed) return []
    this.#buffer =
      this.#buffer.length === 0 && this.#pending.length === 1
        ? chunk
        : Buffer.concat([this.#buffer, ...this.#pending])
    this.#pending = []
    this.#pendingBytes = 0
    const messages: FrontendMessage[] = []
    for (;;) {
      const message = this.#startupDone ? this.typed() : this.untyped()
      if (!message) return messages
      messages.push(message)
    }
  }

  /** The first message is not whole yet: it needs `bytes` in all. */
  private incomplete(bytes: number): undefined {
    this.#needed = bytes
    return undefined
  }

  private untyped(): FrontendMessage | undefined {
    if (this.#buffer.length < 8) return this.incomplete(8)
    const length = this.#buffer.readInt32BE(0)
    // A length that does not count its own header would take nothing and loop forever.
    if (length < STARTUP_LENGTH.min || length > STARTUP_LENGTH.max)
      throw new ProtocolViolation("invalid length of startup packet")
    if (this.#buffer.length < length) return this.incomplete(length)
    const code = this.#buffer.readInt32BE(4)
    const bytes = this.take(length)
    // An SSL or GSS request is answered with one byte, then the real startup follows, still untyped.
    const encryption = code === SSL_REQUEST || code === GSSENC_REQUEST
    if (!encryption) this.#startupDone = true
    return { type: encryption ? "ssl" : code === CANCEL_REQUEST ? "cancel" : "startup", bytes }
  }

  private typed(): FrontendMessage | undefined {
    if (this.#open) return this.rest(this.#open)
    if (this.#buffer.length < 5) return this.incomplete(5)
    const length = this.#buffer.readInt32BE(1)
    if (length < 4) throw new ProtocolViolation(`invalid message length ${length}`)
    if (length > (this.#typedSeen ? MAX_MESSAGE_LENGTH : this.#firstTypedMaxLength))
      throw new ProtocolViolation("invalid message length")
    if (this.#buffer.length < length + 1) {
      if (!(this.#inPieces && this.#typedSeen)) return this.incomplete(length + 1)
      // Its beginning now, the rest as it comes (rest()).
      const type = String.fromCharCode(this.#buffer[0] as number)
      this.#open = { type, remaining: length + 1 - this.#buffer.length }
      this.#needed = 0
      return { type, bytes: this.take(this.#buffer.length), piece: { first: true, last: false } }
    }
    this.#typedSeen = true
    const type = String.fromCharCode(this.#buffer[0] as number)
    return { type, bytes: this.take(length + 1) }
  }

  /** The next piece of a message passed on in pieces: what has arrived of it; undefined when none. */
  private rest(open: { type: string; remaining: number }): FrontendMessage | undefined {
    if (this.#buffer.length === 0) return undefined
    const bytes = this.take(Math.min(open.remaining, this.#buffer.length))
    open.remaining -= bytes.length
    if (open.remaining === 0) this.#open = undefined
    return { type: open.type, bytes, piece: { first: false, last: open.remaining === 0 } }
  }

  private take(length: number): Buffer {
    const bytes = this.#buffer.subarray(0, length)
    this.#buffer = this.#buffer.subarray(length)
    return bytes
  }
}

/** Messages after which the client waits for the server: what makes a frame a round trip. */
export const AWAITS_ANSWER = new Set(["ssl", "startup", "p", "Q", "S", "H"])

/** Messages that run a statement: a simple Query, or an extended-protocol Execute. */
export const RUNS_STATEMENT = new Set(["Q", "E"])

/** The user name in a StartupMessage's key/value parameters. */
export function startupUser(startup: Buffer): string {
  const fields = startup.subarray(8).toString("utf8").split("\u0000")
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === "user") return fields[i + 1] ?? ""
  return ""
}

/** The password of a PasswordMessage ('p'). */
export function passwordOf(message: Buffer): string {
  return message.subarray(5, message.length - 1).toString("utf8")
}

/** A typed protocol message: the type byte, an Int32 length that counts itself, the payload. */
export function typed(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.write(type, 0)
  header.writeInt32BE(payload.length + 4, 1)
  return Buffer.concat([header, payload])
}

export function cString(text: string): Buffer {
  return Buffer.from(`${text}\u0000`, "utf8")
}

/** AuthenticationCleartextPassword: what Neon's proxy asks of every client. */
export function cleartextPasswordRequest(): Buffer {
  const code = Buffer.alloc(4)
  code.writeInt32BE(3)
  return typed("R", code)
}

/** A FATAL ErrorResponse with a SQLSTATE and message. */
export function fatalError(code: string, message: string): Buffer {
  return typed("E", Buffer.from(`SFATAL\u0000VFATAL\u0000C${code}\u0000M${message}\u0000\u0000`, "utf8"))
}
