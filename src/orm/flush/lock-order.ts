// The order a flush writes the rows of one statement in: by key. Two transactions that write the same
// rows lock them (row locks, unique-index entries, foreign-key checks) in the order their statements
// list them; listing them in one order everywhere is what keeps them from deadlocking, as SQLAlchemy's
// unit of work does by sorting by primary key within a mapper. Rows with keys the database generates
// keep the order they were added in: no other transaction can hold those keys, and their keys follow
// add order. Only the order within the rows of one table changes, never which statement comes first.
import { KeyRef } from "./key-ref.ts"

/** Sorts `items` in place (stably) by the values `keyOf` gives, compared column by column. */
export function sortByKey<T>(items: T[], keyOf: (item: T) => readonly unknown[]): T[] {
  const keys = new Map(items.map((item) => [item, keyOf(item).map(comparable)]))
  return items.sort((a, b) => compareKeys(keys.get(a) as unknown[], keys.get(b) as unknown[]))
}

function compareKeys(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = compareValues(a[i], b[i])
    if (order !== 0) return order
  }
  return 0
}

function compareValues(a: unknown, b: unknown): number {
  const ranks = rank(a) - rank(b)
  if (ranks !== 0 || rank(a) === 3) return ranks
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0
}

/**
 * The same order in every process: a date by its time; a row added with `addUnique` by its unique
 * values, which name the same row in every transaction. A row the flush inserts with a generated key
 * is new to everyone, so its place does not matter: it and SQL expressions compare equal, and the
 * stable sort keeps add order.
 */
function comparable(value: unknown): unknown {
  if (value instanceof Date) return value.getTime()
  if (value instanceof KeyRef && value.state.uniqueBy) {
    return value.state.uniqueBy.map((key) => String(value.state.values[key])).join("\u0000")
  }
  return value
}

/** Nulls first, then numbers (booleans, bigints), then strings; anything else compares equal. */
function rank(value: unknown): number {
  if (value === null || value === undefined) return 0
  const type = typeof value
  if (type === "number" || type === "bigint" || type === "boolean") return 1
  return type === "string" ? 2 : 3
}
