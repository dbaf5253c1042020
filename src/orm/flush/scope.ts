// Which of the objects a session holds a flush must look at. Every flush used to look at all of them:
// a loop that changed one of 5,000 loaded objects and then queried (an autoflush) spent ~10 ms a turn,
// nearly a minute over the loop. A flush writes only what differs from what the database has, so it
// can go through the objects that differ and those their changed relationships reach, and leave the
// others as they are; where that is not enough to know what it writes, it looks at all of them.
import { MAPPER_EVENTS, mapperListeners } from "../events.ts"
import { setWhileExpired } from "../expired-sets.ts"
import { type RelationshipProperty, relationshipOf, relationshipsOf } from "../mapper.ts"
import { relationshipsChanged } from "../session-changes.ts"
import {
  committedCollectionsOf,
  type InstanceState,
  loadedOf,
  relatedOf,
  relationshipChanged,
  type SessionLike,
  sameValue,
  stateOf,
} from "../state.ts"

/**
 * The persistent objects of `held` a flush must look at: those whose columns or loaded relationships
 * differ from what the database has, and the members their changed relationships hold or held (the
 * flush sets or clears their foreign keys). Undefined where the flush must look at every object:
 *
 * - a changed primary key: every foreign key naming the row follows it, whichever object holds it;
 * - a changed relationship that orphans (`delete-orphan`, either side): a member taken out is an
 *   orphan only if no other loaded collection holds it, which only every object can tell.
 *
 * Deletes and listeners are the caller's to check (./session.ts): a delete reaches held children
 * through unloaded collections, and a listener may change any object, which must be saved first.
 */
export function flushScope(held: Iterable<object>, session: SessionLike): InstanceState[] | undefined {
  const scope = new Set<InstanceState>()
  for (const object of held) {
    const state = stateOf(object)
    if (!changedSinceFlush(state)) continue
    if (keyChanged(state)) return undefined
    scope.add(state)
    for (const key of loadedOf(state)) {
      if (!relationshipChanged(state, key)) continue
      if (orphans(relationshipOf(state.mapper, key))) return undefined
      const before = committedCollectionsOf(state).get(key) ?? []
      for (const member of [...relatedOf(state, key), ...before]) {
        const other = stateOf(member)
        if (other.session === session && other.committed !== undefined) scope.add(other)
      }
    }
  }
  return [...scope]
}

/**
 * The stored objects of this session in new objects' loaded one-to-many collections that `looked`
 * does not hold (`new Shelf({ books: [stored] })`): the flush sets their foreign keys to the new rows'.
 */
export function storedMembersOfNew(
  pending: readonly InstanceState[],
  looked: ReadonlySet<InstanceState>,
  session: SessionLike,
): InstanceState[] {
  const found: InstanceState[] = []
  for (const state of pending) {
    for (const key of loadedOf(state)) {
      if (relationshipOf(state.mapper, key).direction !== "one-to-many") continue
      for (const member of relatedOf(state, key)) {
        const other = stateOf(member)
        if (other.session === session && other.committed !== undefined && !looked.has(other))
          found.push(other)
      }
    }
  }
  return found
}

/** Whether a listener may run for the rows of these objects (it may change any object the session holds). */
export function listened(states: Iterable<InstanceState>): boolean {
  const seen = new Set<object>()
  for (const { mapper } of states) {
    if (seen.has(mapper)) continue
    seen.add(mapper)
    if (MAPPER_EVENTS.some((event) => mapperListeners(mapper).get(event).length > 0)) return true
  }
  return false
}

/**
 * Whether an object differs from what the database has, in a column or a loaded relationship:
 * `modifiedColumns().length > 0 || relationshipsChanged()` without building a list, as every autoflush
 * asks it of every object the session holds.
 */
export function changedSinceFlush(state: InstanceState): boolean {
  return changedColumns(state) || setWhileExpired(state) || relationshipsChanged(state)
}

function changedColumns(state: InstanceState): boolean {
  const { values, committed } = state
  if (!committed) return state.mapper.columnKeys.some((key) => key in values)
  for (const key of state.mapper.columnKeys) {
    // Most values are the very ones loaded: one comparison, before the others.
    const value = values[key]
    if (value !== committed[key] && key in values && !sameValue(value, committed[key])) return true
  }
  return false
}

function keyChanged(state: InstanceState): boolean {
  const { values, committed } = state
  return state.mapper.primaryKey.some(
    (column) => column.key in values && !sameValue(values[column.key], committed?.[column.key]),
  )
}

/** Whether changing this relationship may orphan a child: delete-orphan on it or on its other side. */
function orphans(property: RelationshipProperty): boolean {
  if (property.cascade.has("delete-orphan")) return true
  const back = property.backPopulates
  return (
    back !== undefined && relationshipsOf(property.target).get(back)?.cascade.has("delete-orphan") === true
  )
}
