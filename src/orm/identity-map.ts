// One object per row per session: objects keyed by their mapper and primary-key values.
import type { Mapper } from "./mapper.ts"

export class IdentityMap {
  readonly #objects = new Map<Mapper, Map<string, object>>()

  get(mapper: Mapper, identity: readonly unknown[]): object | undefined {
    return this.#objects.get(mapper)?.get(keyOf(identity))
  }

  set(mapper: Mapper, identity: readonly unknown[], object: object): void {
    const objects = this.#objects.get(mapper) ?? new Map<string, object>()
    this.#objects.set(mapper, objects)
    objects.set(keyOf(identity), object)
  }

  delete(mapper: Mapper, identity: readonly unknown[]): void {
    this.#objects.get(mapper)?.delete(keyOf(identity))
  }

  *values(): IterableIterator<object> {
    for (const objects of this.#objects.values()) yield* objects.values()
  }

  clear(): void {
    this.#objects.clear()
  }
}

/** Keys compare by value: 7 and 7n, "a" and "a" are one identity; types are kept apart otherwise. */
function keyOf(identity: readonly unknown[]): string {
  return identity
    .map((v) => (typeof v === "bigint" || typeof v === "number" ? `n${v}` : `${typeof v}:${String(v)}`))
    .join("\u0000")
}
