// Which objects a flush writes: the session's new objects and everything they reach through
// `save-update` cascades (added to the session on the way), the persistent objects it knows, and the
// deleted ones with their `delete` cascades. Also the order tables are written in.
import { sortedTables } from "../../sql/schema/metadata.ts"
import type { Table } from "../../sql/schema/table.ts"
import type { IdentityMap } from "../identity-map.ts"
import type { RelationshipProperty } from "../mapper.ts"
import { type InstanceState, type SessionLike, stateOf } from "../state.ts"
import type { FlushInput } from "./plan.ts"

export interface Changes extends FlushInput {
  readonly all: readonly InstanceState[]
  /** Tables in foreign-key order: referenced ones first. */
  readonly order: readonly Table[]
}

export function collectChanges(
  session: SessionLike,
  pending: Set<InstanceState>,
  identityMap: IdentityMap,
  deleted: Set<InstanceState>,
): Changes {
  const persistent = identityMap
    .values()
    .map(stateOf)
    .filter((state) => !state.deleted)
  const queue = [...pending, ...persistent]
  for (let i = 0; i < queue.length; i++) {
    const state = queue[i] as InstanceState
    for (const related of relatedThrough(state, "save-update")) {
      const other = stateOf(related)
      if (other.session === undefined && other.committed === undefined) {
        other.session = session
        pending.add(other)
        queue.push(other)
      }
    }
  }
  // Children removed from a `delete-orphan` collection go with the rows they belonged to, unless they
  // moved to another parent (SQLAlchemy deletes only a child that has no parent left).
  for (const state of persistent) {
    for (const orphan of orphansOf(state, persistent)) {
      const other = stateOf(orphan)
      if (other.committed !== undefined && !other.deleted) {
        other.deleted = true
        deleted.add(other)
      }
    }
  }
  const doomed = [...deleted]
  for (let i = 0; i < doomed.length; i++) {
    const state = doomed[i] as InstanceState
    for (const related of relatedThrough(state, "delete")) {
      const other = stateOf(related)
      if (other.committed !== undefined && other.session === session && !other.deleted) {
        other.deleted = true
        deleted.add(other)
        doomed.push(other)
      } else if (other.committed === undefined) {
        pending.delete(other)
        other.session = undefined
      }
    }
  }
  const all = [...pending, ...persistent.filter((s) => !s.deleted), ...deleted]
  const metadata = all[0]?.mapper.registry.metadata
  const tables = metadata ? sortedTables(metadata) : { sorted: [], cyclic: [] }
  return {
    pending: [...pending],
    persistent: persistent.filter((s) => !s.deleted),
    deleted: [...deleted],
    all,
    order: [...tables.sorted, ...tables.cyclic],
  }
}

/** Objects reachable in one step through loaded relationships that cascade `cascade`. */
function relatedThrough(state: InstanceState, cascade: "save-update" | "delete"): object[] {
  const found: object[] = []
  for (const key of state.loaded) {
    const property = state.mapper.relationship(key)
    if (!property.cascade.has(cascade)) continue
    const value = state.values[key]
    if (Array.isArray(value)) found.push(...(value as object[]))
    else if (value) found.push(value as object)
  }
  return found
}

/**
 * Members removed from loaded `delete-orphan` collections since they were loaded or flushed, and not
 * given another parent through the same relationship since.
 */
function orphansOf(state: InstanceState, persistent: readonly InstanceState[]): object[] {
  const found: object[] = []
  for (const key of state.loaded) {
    const property = state.mapper.relationship(key)
    if (property.direction !== "one-to-many" || !property.cascade.has("delete-orphan")) continue
    const before = state.committedCollections.get(key)
    const now = state.values[key] as object[]
    for (const item of before ?? []) {
      if (!now.includes(item) && !hasOtherParent(stateOf(item), state, property, persistent)) found.push(item)
    }
  }
  return found
}

/** Whether a child taken out of `parent`'s collection now belongs to another parent through it. */
function hasOtherParent(
  child: InstanceState,
  parent: InstanceState,
  property: RelationshipProperty,
  persistent: readonly InstanceState[],
): boolean {
  // Its side of the relationship names another parent (`child.owner = other`).
  const reverse = property.backPopulates
  if (reverse && child.loaded.has(reverse)) {
    const named = child.values[reverse]
    if (named != null && named !== parent.object) return true
  }
  // Another loaded collection of the relationship holds it (`other.children.push(child)`).
  const held = (other: InstanceState) =>
    other !== parent &&
    other.loaded.has(property.key) &&
    (other.values[property.key] as object[]).includes(child.object)
  if (persistent.some(held)) return true
  // Its foreign key was pointed at another row (`child.ownerId = other.id`).
  return property.pairs.every(([parentColumn, childColumn]) => {
    const value = child.values[childColumn.key]
    return (
      value != null &&
      value !== parent.values[parentColumn.key] &&
      value !== child.committed?.[childColumn.key]
    )
  })
}
