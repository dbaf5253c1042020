// The bytes of answers libsql-local holds at once: rows read for requests whose answers are not sent
// yet, across every request. sqld bounds each statement's rows (10 MB) and what it builds at once
// (--max-total-response-size, 32 MB); without a bound here a pipeline of a few hundred
// `SELECT zeroblob(9000000)`, a request of a few kilobytes, made libsql-local hold gigabytes and die
// of an exhausted heap. A statement whose rows would pass what is left fails with RESPONSE_TOO_LARGE,
// as one past its own 10 MB does; its request's other answers are kept.

/** Far above what a client reads at once, far below Node's heap (each answer is held in a few copies
 *  while it is read, serialized and sent). */
export const DEFAULT_MAX_TOTAL_RESPONSE_BYTES = 256 * 1024 * 1024

export class AnswerBytes {
  #held = 0

  constructor(readonly max: number) {}

  /** One request's share: what its statements read is held until `release()`, once it is answered. */
  tally(): AnswerTally {
    let mine = 0
    return {
      room: () => Math.max(0, this.max - this.#held),
      hold: (bytes) => {
        mine += bytes
        this.#held += bytes
      },
      release: () => {
        this.#held -= mine
        mine = 0
      },
      describe: () =>
        `libsql-local already holds ${this.#held} bytes of answers not yet sent (its limit, maxTotalResponseBytes, is ${this.max})`,
    }
  }
}

export interface AnswerTally {
  /** Bytes a statement may still read. */
  room(): number
  hold(bytes: number): void
  release(): void
  /** Why a statement was refused for want of room. */
  describe(): string
}
