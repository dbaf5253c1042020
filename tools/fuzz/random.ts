// A seeded pseudo-random source (mulberry32): the same seed makes the same rows and expressions on
// every machine, so a disagreement the fuzzer reports is reproduced by its seed alone.
export class Random {
  #state: number

  constructor(seed: number) {
    this.#state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T
  }

  /** A 64-bit signed integer, any of them. */
  bigint64(): bigint {
    const high = BigInt(this.int(0, 2 ** 32 - 1))
    const low = BigInt(this.int(0, 2 ** 32 - 1))
    return BigInt.asIntN(64, (high << 32n) | low)
  }
}
