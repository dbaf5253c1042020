// One object per row per session: objects keyed by their mapper and primary-key values.

import { cached } from "../util/cached.ts"
import type { Mapper } from "./mapper.ts"

export class IdentityMap {
  readonly #objects = new Map<Mapper, Map<unknown, object>>()

  get(mapper: Mapper, identity: readonly unknown[]): object | undefined {
    return this.#objects.get(mapper)?.get(identityKey(identity))
  }

  set(mapper: Mapper, identity: readonly unknown[], object: object): void {
    const key = identityKey(identity)
    if (key !== undefined) this.objectsOf(mapper).set(key, object)
  }

  delete(mapper: Mapper, identity: readonly unknown[]): void {
    this.#objects.get(mapper)?.delete(identityKey(identity))
  }

  /** One mapper's objects by `identityKey`, for hydrating many rows with one lookup of the mapper. */
  objectsOf(mapper: Mapper): Map<unknown, object> {
    return cached(this.#objects, mapper, () => new Map())
  }

  /** Every object, in an array of its own: callers may change the map while they go through it. */
  values(): object[] {
    const all: object[] = []
    for (const objects of this.#objects.values()) for (const object of objects.values()) all.push(object)
    return all
  }

  clear(): void {
    this.#objects.clear()
  }
}

/**
 * The key of an identity (the values at `positions` of `values`, or all of them); undefined when one is
 * null (no row). Keys compare by value: 7 and 7n, "a" and "a" are one identity; types are kept apart
 * otherwise. A one-column number key is the number itself, the commonest case, with nothing to build.
 */
export function identityKey(values: readonly unknown[], positions?: readonly number[]): unknown {
  const count = positions ? positions.length : values.length
  if (count === 1) return valueKey(values[positions ? (positions[0] as number) : 0])
  let key = ""
  for (let i = 0; i < count; i++) {
    const value = valueKey(values[positions ? (positions[i] as number) : i])
    if (value === undefined) return undefined
    key += `\u0000${typeof value === "number" ? `n${value}` : value}`
  }
  return key
}

/**
 * One key value as identities compare it (undefined for null); also how loaded rows find their parents.
 * A Date by its milliseconds (a key column holds Dates only): its text stops at the second.
 */
export function valueKey(value: unknown): unknown {
  if (value === null || value === undefined) return undefined
  if (typeof value === "number") return value
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : `n${value}`
  return value instanceof Date ? value.getTime() : `${typeof value}:${value}`
}
