// refresh(parent, ["children"]) inside noAutoflush reloads a one-to-many as the database has it, while
// the session may hold links not flushed yet: a child taken out (its many-to-one null) or moved to
// another parent, a new child pushed in. The child's many-to-one is what the flush writes (as
// SQLAlchemy's flush writes the child's history), so the reloaded collection shows those links too;
// listing the database's alone, it named a child the commit then unlinked. Write path only.
import { RelationshipList } from "./collection.ts"
import { relationshipOf } from "./mapper.ts"
import { type InstanceState, loadedOf, relatedOf, relationshipChanged, stateOf } from "./state.ts"

/** The members of a loaded, back-populated one-to-many refresh() is about to reload; else undefined. */
export function membersBeforeRefresh(state: InstanceState, key: string): readonly object[] | undefined {
  if (!state.mapper.relationshipSpecs.has(key) || !loadedOf(state).has(key)) return undefined
  const property = relationshipOf(state.mapper, key)
  if (property.direction !== "one-to-many" || !property.backPopulates) return undefined
  return [...relatedOf(state, key)]
}

/**
 * Takes out of the reloaded collection the children whose many-to-one was changed since loaded to name
 * another parent or none, and puts back those it listed before changed to name this one. A many-to-one
 * unchanged is what the database had when it was read: the reloaded rows are newer, and stand.
 */
export function showPendingLinks(
  state: InstanceState,
  key: string,
  before: readonly object[] | undefined,
): void {
  const list = state.values[key]
  if (!before || !(list instanceof RelationshipList)) return
  const back = relationshipOf(state.mapper, key).backPopulates as string
  const changed = (item: object) => {
    const child = stateOf(item)
    return loadedOf(child).has(back) && relationshipChanged(child, back)
  }
  const names = (item: object) => stateOf(item).values[back] === state.object
  for (const item of [...list]) if (changed(item) && !names(item)) list.removeQuietly(item)
  for (const item of before) if (changed(item) && names(item)) list.addQuietly(item)
}
