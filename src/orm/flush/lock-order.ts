// The order a flush writes the rows of one statement in: by key. Two transactions that write the same
// rows lock them (row locks, unique-index entries, foreign-key checks) in the order their statements
// list them; listing them in one order everywhere is what keeps them from deadlocking, as SQLAlchemy's
// unit of work does by sorting by primary key within a mapper. Rows with keys the database generates
// keep the order they were added in: no other transaction can hold those keys, and their keys follow
// add order. Only the order within the rows of one table changes, never which statement comes first.
import type { InstanceState } from "../state.ts"
import { KeyRef } from "./key-ref.ts"

/** Sorts `items` in place (stably) by the values `keyOf` gives, compared column by column. */
export function sortByKey<T>(items: T[], keyOf: (item: T) => readonly unknown[]): T[] {
  const keys = new Map(items.map((item) => [item, keyOf(item)]))
  return items.sort((a, b) => compareKeys(keys.get(a) ?? [], keys.get(b) ?? []))
}

export function compareKeys(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const order = compareValues(a[i], b[i])
    if (order !== 0) return order
  }
  return 0
}

/**
 * One total order over the values a key may hold, the same in every process: nulls, then booleans,
 * numbers (and bigints), strings by code unit, dates, bytes, then rows of this flush. A row added with
 * `addUnique` is placed by its unique values, as the upsert that locks it is; a row the flush inserts
 * with a generated key is new to everyone, so its place among others does not matter (equal: the
 * stable sort keeps add order). Values of other kinds (SQL expressions) compare equal for the same reason.
 */
function compareValues(a: unknown, b: unknown): number {
  const rankA = rank(a)
  const rankB = rank(b)
  if (rankA !== rankB) return rankA - rankB
  switch (rankA) {
    case 1:
    case 2:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0
    case 3:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0
    case 4:
      return (a as Date).getTime() - (b as Date).getTime()
    case 5:
      return compareBytes(a as Uint8Array, b as Uint8Array)
    case 6:
      return compareKeys(uniqueValues((a as KeyRef).state), uniqueValues((b as KeyRef).state))
    default:
      return 0
  }
}

function rank(value: unknown): number {
  if (value === null || value === undefined) return 0
  if (typeof value === "boolean") return 1
  if (typeof value === "number" || typeof value === "bigint") return 2
  if (typeof value === "string") return 3
  if (value instanceof Date) return 4
  if (value instanceof Uint8Array) return 5
  if (value instanceof KeyRef && value.state.uniqueBy) return 6
  return 7
}

function uniqueValues(state: InstanceState): unknown[] {
  return (state.uniqueBy ?? []).map((key) => state.values[key])
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0)
  return a.length - b.length
}
