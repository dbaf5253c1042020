// Which objects a flush writes: the session's new objects and everything they reach through
// `save-update` cascades (added to the session on the way), the persistent objects it knows, and the
// deleted ones with their `delete` cascades. Also the order tables are written in.
import { sortedTables } from "../../sql/schema/metadata.ts"
import type { Table } from "../../sql/schema/table.ts"
import type { IdentityMap } from "../identity-map.ts"
import type { RelationshipProperty } from "../mapper.ts"
import { type InstanceState, type SessionLike, sameValue, stateOf } from "../state.ts"
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
    const children = [...relatedThrough(state, "delete"), ...heldChildren(state, persistent, true)]
    for (const related of children) {
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
  // Children the session holds of deleted rows, through collections it has not loaded and that do not
  // cascade the delete: the flush's bulk UPDATE unlinks their rows, and here the objects themselves.
  for (const state of deleted) {
    for (const child of heldChildren(state, persistent, false)) unlink(stateOf(child), state)
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

/**
 * Objects the session holds whose rows point at `state`'s row through one of its one-to-many
 * relationships that is not loaded (a loaded one lists them itself), those that cascade deletes or
 * those that do not (`cascading`). The flush deletes or unlinks such rows in bulk without loading them;
 * these are the ones whose objects must follow (deleted with their rows, or unlinked), as SQLAlchemy's
 * loading them first would have them.
 */
function heldChildren(
  state: InstanceState,
  persistent: readonly InstanceState[],
  cascading: boolean,
): object[] {
  const found: object[] = []
  for (const property of state.mapper.relationships.values()) {
    if (property.direction !== "one-to-many" || property.secondary || property.passiveDeletes) continue
    if (state.loaded.has(property.key) || property.cascade.has("delete") !== cascading) continue
    for (const other of persistent) {
      if (other.mapper !== property.target || other === state || other.deleted) continue
      const points = property.pairs.every(([own, remote]) => {
        const value = other.committed?.[remote.key]
        return value != null && sameValue(value, state.committed?.[own.key])
      })
      if (points) found.push(other.object)
    }
  }
  return found
}

/** A child whose parent's row goes: its foreign key (and its side of the relationship) to NULL. */
function unlink(child: InstanceState, parent: InstanceState): void {
  for (const property of parent.mapper.relationships.values()) {
    if (property.direction !== "one-to-many" || property.target !== child.mapper) continue
    const points = property.pairs.every(([own, remote]) =>
      sameValue(child.committed?.[remote.key], parent.committed?.[own.key]),
    )
    if (!points) continue
    for (const [, remote] of property.pairs) child.values[remote.key] = null
    const back = property.backPopulates
    if (back && child.loaded.has(back) && child.values[back] === parent.object) child.values[back] = null
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
