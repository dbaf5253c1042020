// How the flat rows a driver returns become the rows a statement promises: each select item takes its
// columns and decodes them with its SQL type; a table or entity item becomes one object.
import type { Dialect } from "../sql/compiler/dialect.ts"
import { Expression } from "../sql/expression.ts"
import { ENTITY, type EntityLike, isEntity, type SelectItem } from "../sql/select-items.ts"
import type { Statement } from "../sql/statement.ts"
import { freeName } from "../sql/subquery.ts"
import type { TextStatement } from "../sql/text.ts"
import type { SqlType } from "../sql/types.ts"
import { cached } from "../util/cached.ts"

export type Slot =
  | {
      readonly kind: "value"
      readonly type: SqlType<unknown>
      /** A column's key, a label's or function's name: what rows call it (others: what the database does). */
      readonly name: string | undefined
    }
  | {
      readonly kind: "object"
      readonly name: string
      readonly keys: readonly string[]
      readonly types: readonly SqlType<unknown>[]
      /** Where the primary key's first column is (-1: none): NULL, the row is an outer join's missing one. */
      readonly key: number
    }
  | { readonly kind: "entity"; readonly item: EntityLike; readonly types: readonly SqlType<unknown>[] }

/**
 * The slots of a statement's rows; empty when the statement does not say (raw SQL without types).
 * Kept per list of items (statements are immutable, so a list never changes): a statement run again
 * and again, as `session.get`'s, finds them made.
 */
export function slotsOf(statement: Statement): readonly Slot[] {
  if (statement.kind === "text") return (statement as unknown as TextStatement).rowSlots()
  const items = itemsOf(statement)
  return cached(slotsByList, items, () => items.map(slotOf))
}

/**
 * What a statement's rows hold: a select's items (a UNION's: its first member's), or an INSERT, UPDATE or
 * DELETE's RETURNING (none without one). The sessions hydrate by them too (../orm/session-reads.ts).
 */
export function itemsOf(statement: Statement): readonly SelectItem[] {
  if (statement.kind === "compound_select")
    return (statement as unknown as { items: readonly SelectItem[] }).items
  const state = (
    statement as { state?: { items?: readonly SelectItem[]; returning?: readonly SelectItem[] } }
  ).state
  return state?.items ?? state?.returning ?? NO_ITEMS
}

const NO_ITEMS: readonly SelectItem[] = []

const slotsByList = new WeakMap<readonly unknown[], readonly Slot[]>()

function slotOf(item: SelectItem): Slot {
  if (isEntity(item)) return { kind: "entity", item, types: item[ENTITY].columns.map((c) => c.type) }
  if (item instanceof Expression) {
    // A column by its key, a label or a function by its name (`count`, as SQLAlchemy's keys: the
    // databases name it differently); anything else as the database does.
    const { key, name } = item as { key?: string; name?: string }
    return { kind: "value", type: item.type, name: key ?? name }
  }
  return {
    kind: "object",
    name: item.name,
    keys: item.columns.map((c) => c.key),
    types: item.columns.map((c) => c.type),
    key: item.columns.findIndex((c) => c.spec?.options.primaryKey),
  }
}

/**
 * The key of each slot (see Result.keys): a value's by its column or label, else as the database named
 * it; a model by its class's name, an aliased one by the name it was given, else its model's; a name
 * taken already by its next free `_1` (two tables' `id`s are `id` and `id_1`, a model and an unnamed
 * alias of it `Book` and `Book_1`: alike, mappings() kept one of the two).
 */
export function keysOf(slots: readonly Slot[], columns: readonly string[]): readonly string[] {
  if (slots.length === 0) return columns
  let at = 0
  const taken = new Set<string>()
  return slots.map((slot) => {
    at += slot.kind === "value" ? 1 : slot.types.length
    const key =
      slot.kind === "value"
        ? (slot.name ?? (columns[at - 1] as string))
        : slot.kind === "object"
          ? slot.name
          : entityKey(slot.item)
    return freeName(key, taken)
  })
}

/** A model by its class's name, an aliased one by the name it was given, else its model's. */
function entityKey(item: EntityLike): string {
  const { name, from } = item[ENTITY]
  return typeof item === "function" ? (item as { name: string }).name : (name ?? from.name)
}

/**
 * Decodes one driver row. Entities are left as arrays of decoded column values for the ORM to
 * hydrate through its identity map; the engine knows no ORM.
 */
export function decodeRow(row: readonly unknown[], slots: readonly Slot[], dialect: Dialect): unknown[] {
  if (slots.length === 0) return [...row]
  // Arrays made at their size and filled by index: this runs for every row of every result.
  const out: unknown[] = new Array(slots.length)
  let at = 0
  for (let s = 0; s < slots.length; s++) {
    const slot = slots[s] as Slot
    if (slot.kind === "value") {
      out[s] = dialect.decode(row[at++], slot.type)
      continue
    }
    const { types } = slot
    const values: unknown[] = new Array(types.length)
    for (let i = 0; i < types.length; i++) values[i] = dialect.decode(row[at++], types[i] as SqlType<unknown>)
    if (slot.kind === "entity") {
      out[s] = values
      continue
    }
    // A key column is never NULL in a row: only in the one an outer join did not find.
    let object: Record<string, unknown> | null = null
    if (values[slot.key] !== null) {
      object = {}
      for (let i = 0; i < slot.keys.length; i++) object[slot.keys[i] as string] = values[i]
    }
    out[s] = object
  }
  return out
}

/**
 * `decodeRow` of a row the caller owns and drops (a one-statement load's JSON rows): a row of one entity
 * is decoded in place, which saves an array per row of a load.
 */
export function decodeOwnRow(row: unknown[], slots: readonly Slot[], dialect: Dialect): unknown[] {
  const [only] = slots
  if (slots.length !== 1 || only?.kind !== "entity") return decodeRow(row, slots, dialect)
  const { types } = only
  for (let i = 0; i < types.length; i++) row[i] = dialect.decode(row[i], types[i] as SqlType<unknown>)
  return [row]
}
