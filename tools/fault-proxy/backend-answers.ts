// Splits the server-to-client half of the PostgreSQL protocol into answers, one per round trip the
// client sent, so the proxy knows where the answer it must lose (a `cut`) begins and ends. An answer
// ends with ReadyForQuery ('Z'); during startup also with an authentication request the client must
// reply to ('R' with a non-zero code) or a fatal error ('E'); an SSLRequest is answered by one byte.

export interface AnswerSlice {
  /** The bytes of the answer, or of the part of it that arrived in this chunk. */
  readonly bytes: Buffer
  /** Whether this slice completes the answer. */
  readonly complete: boolean
}

export class BackendAnswers {
  #buffer: Buffer = Buffer.alloc(0)
  #ready = false
  /** One entry per round trip forwarded and not yet answered: whether its answer is one raw byte. */
  readonly #expected: boolean[] = []

  /** A round trip was forwarded to the server; `ssl` answers are a single untyped byte. */
  expect(kind: "ssl" | "message"): void {
    this.#expected.push(kind === "ssl")
  }

  /** Answers still owed to the client (forwarded round trips not completely answered). */
  get owed(): number {
    return this.#expected.length
  }

  /** Feeds server bytes; returns them cut at answer boundaries (a partial message stays buffered). */
  push(chunk: Buffer): AnswerSlice[] {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk
    const slices: AnswerSlice[] = []
    let start = 0
    let at = 0
    while (at < this.#buffer.length) {
      if (this.#expected[0] === true) {
        at += 1
        this.#expected.shift()
        slices.push({ bytes: this.#buffer.subarray(start, at), complete: true })
        start = at
        continue
      }
      if (this.#buffer.length - at < 5) break
      const length = this.#buffer.readInt32BE(at + 1)
      if (this.#buffer.length - at < length + 1) break
      const type = String.fromCharCode(this.#buffer[at] as number)
      const ends =
        type === "Z" ||
        (!this.#ready && type === "R" && this.#buffer.readInt32BE(at + 5) !== 0) ||
        (!this.#ready && type === "E")
      if (type === "Z") this.#ready = true
      at += length + 1
      if (ends) {
        this.#expected.shift()
        slices.push({ bytes: this.#buffer.subarray(start, at), complete: true })
        start = at
      }
    }
    if (at > start) slices.push({ bytes: this.#buffer.subarray(start, at), complete: false })
    this.#buffer = this.#buffer.subarray(at)
    return slices
  }
}
