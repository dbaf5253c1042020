// Which objects a flush writes: the session's new objects and everything they reach through
// `save-update` cascades (added to the session on the way), the persistent objects it knows, and the
// deleted ones with their `delete` cascades. Also the order tables are written in.
import { InvalidRequestError } from "../../errors.ts"
import { sortedTables } from "../../sql/schema/metadata.ts"
import type { Table } from "../../sql/schema/table.ts"
import { cached } from "../../util/cached.ts"
import { topologicalSort } from "../../util/topological-sort.ts"
import { identityKey } from "../identity-map.ts"
import { type RelationshipProperty, relationshipOf, relationshipsOf } from "../mapper.ts"
import {
  committedCollectionsOf,
  type InstanceState,
  loadedOf,
  refuseForeign,
  relatedOf,
  relationshipChanged,
  type SessionLike,
  sameMembers,
  sameValue,
  stateOf,
} from "../state.ts"
import { deferredForeignKeys } from "./insert-steps.ts"
import type { FlushInput } from "./plan.ts"

export interface Changes extends FlushInput {
  readonly all: readonly InstanceState[]
  /** Tables in foreign-key order: referenced ones first. */
  readonly order: readonly Table[]
}

/**
 * `looked`: the persistent objects to look at, every one the session holds or those ./scope.ts finds
 * (the deleted ones among them are in `deleted`).
 */
export function collectChanges(
  session: SessionLike,
  pending: Set<InstanceState>,
  looked: readonly InstanceState[],
  deleted: Set<InstanceState>,
): Changes {
  const persistent = looked.filter((state) => !state.deleted)
  const queue = [...pending, ...persistent]
  for (let i = 0; i < queue.length; i++) {
    const state = queue[i] as InstanceState
    refuseLinkedForeign(state, session)
    for (const related of relatedThrough(state, "save-update")) {
      const other = stateOf(related)
      if (other.session === undefined && other.committed === undefined && other.expungedFrom !== session) {
        other.session = session
        pending.add(other)
        queue.push(other)
      }
    }
  }
  for (const state of queue) refuseUnsaved(state, session)
  // Children removed from a `delete-orphan` collection go with the rows they belonged to, unless they
  // moved to another parent (SQLAlchemy deletes only a child that has no parent left). One the session
  // no longer holds (a bulk DELETE took its row) is not its to delete.
  const parents = [...pending, ...persistent]
  for (const state of persistent) {
    for (const orphan of orphansOf(state, parents)) {
      const other = stateOf(orphan)
      if (other.committed !== undefined && !other.deleted && other.session === session) {
        other.deleted = true
        deleted.add(other)
      }
    }
  }
  // Children whose many-to-one to a delete-orphan parent was cleared (taken out of the collection of a
  // parent the session does not hold, or `book.author = null`) are orphans too, as SQLAlchemy's
  // remove event marks them: their key cannot be set to NULL in the parent's place.
  for (const state of persistent) {
    if (!state.deleted && leftItsParent(state, parents)) {
      state.deleted = true
      deleted.add(state)
    }
  }
  // New objects too: one that names a parent being deleted goes with it, or is unlinked, as one loaded would.
  const held = new HeldChildren([...persistent, ...pending], parents)
  const doomed = [...deleted]
  for (let i = 0; i < doomed.length; i++) {
    const state = doomed[i] as InstanceState
    // Its children go with it: those its loaded collections hold, those its delete-orphan collections
    // lost and no other parent took, and those the session holds of collections it has not loaded.
    const cascaded = relatedThrough(state, "delete")
    const children = [
      ...cascaded,
      ...orphansOf(state, parents),
      ...held.of(state, true).map((child) => child.object),
    ]
    for (const related of children) {
      const other = stateOf(related)
      if (other.committed !== undefined && other.session === session && !other.deleted) {
        other.deleted = true
        deleted.add(other)
        doomed.push(other)
      } else if (other.committed === undefined) {
        // Dropped with its parent, and kept out: another loaded collection that holds it (its
        // category's books) would otherwise cascade it in again at the next flush, without its parent.
        pending.delete(other)
        other.session = undefined
        other.expungedFrom = session
      } else if (other.session !== session && !other.gone && cascaded.includes(related)) {
        // Its row would stay, pointing at the deleted one (a foreign-key failure, or a row the
        // application meant to go): session.delete() takes such objects in, this one came after.
        throw new InvalidRequestError(
          `${describeRow(other)} is in ${state.mapper.name}.${cascadeKey(state, related)} of a ${state.mapper.name} being deleted, but is not in this session (expunged, or another session's); its row would be left pointing at the deleted one. Add it back (session.add()) so that it is deleted with it, or take it out of that collection`,
        )
      }
    }
  }
  for (const state of [...pending, ...persistent]) if (!state.deleted) refuseLinkToLeftOut(state, pending)
  // Children the session holds of deleted rows, through collections it has not loaded and that do not
  // cascade the delete: the flush's bulk UPDATE unlinks their rows, and the planner the objects.
  const unlinked = [...deleted].flatMap((parent) =>
    held.of(parent, false).map(({ object, property }) => ({ child: stateOf(object), parent, property })),
  )
  const all = [...pending, ...persistent.filter((s) => !s.deleted), ...deleted]
  // Each registry's tables in its own foreign-key order (no key reaches across registries), but for the
  // keys a postUpdate many-to-one sets after the rows exist.
  const deferred = deferredForeignKeys(all.map((state) => state.mapper))
  const order = [...new Set(all.map((state) => state.mapper.registry.metadata))].flatMap((metadata) => {
    const tables =
      deferred.size === 0
        ? sortedTables(metadata)
        : topologicalSort(metadata.tables, (table) =>
            table.foreignKeys
              .filter((fk) => !deferred.has(fk))
              .flatMap((fk) => metadata.table(fk.referencedTable) ?? []),
          )
    return [...tables.sorted, ...tables.cyclic]
  })
  return {
    pending: [...pending],
    persistent: persistent.filter((s) => !s.deleted),
    deleted: [...deleted],
    unlinked,
    all,
    order,
  }
}

/**
 * The objects the session holds whose rows point, or will point, at a parent's row through one of
 * its one-to-many relationships that is not loaded (a loaded one lists them itself). The flush deletes or unlinks
 * such rows in bulk without loading them; these are the ones whose objects must follow, deleted with
 * their rows or unlinked, as SQLAlchemy's loading them first would have them. Indexed by relationship
 * and parent key on first use, so a flush that deletes many parents looks each up at once.
 */
class HeldChildren {
  readonly #index = new Map<RelationshipProperty, Map<unknown, InstanceState[]>>()

  constructor(
    readonly held: readonly InstanceState[],
    /** The objects that may be a child's parent now: the flush's pending and persistent ones. */
    readonly parents: readonly InstanceState[],
  ) {}

  /**
   * The held children of a deleted parent that go with it (`going`), or those unlinked from it. A
   * child given another parent since keeps it, as SQLAlchemy's collection, loaded with the pending
   * change, would no longer hold it; one whose many-to-one was cleared has left, and goes only as an
   * orphan (through `delete-orphan`).
   */
  of(parent: InstanceState, going: boolean): { object: object; property: RelationshipProperty }[] {
    const found: { object: object; property: RelationshipProperty }[] = []
    for (const property of relationshipsOf(parent.mapper).values()) {
      if (property.direction !== "one-to-many" || property.secondary || property.passiveDeletes) continue
      if (loadedOf(parent).has(property.key)) continue
      const key = identityKey(property.pairs.map(([own]) => parent.committed?.[own.key]))
      for (const child of this.#byParent(property).get(key) ?? []) {
        if (child === parent || child.deleted || hasOtherParent(child, parent, property, this.parents))
          continue
        const reverse = property.backPopulates
        const left = reverse !== undefined && loadedOf(child).has(reverse) && child.values[reverse] == null
        const goes = property.cascade.has(left ? "delete-orphan" : "delete")
        if (goes === going) found.push({ object: child.object, property })
      }
    }
    return found
  }

  #byParent(property: RelationshipProperty): Map<unknown, InstanceState[]> {
    return cached(this.#index, property, () => {
      const byParent = new Map<unknown, InstanceState[]>()
      for (const state of this.held) {
        if (state.mapper !== property.target) continue
        // Under the row its key names and the one the flush points it at (`book.author = other`): a
        // child moved to a parent being deleted goes with it, as SQLAlchemy's collection, loaded with
        // the pending change, would hold it.
        const keys = new Set([
          identityKey(property.pairs.map(([, remote]) => state.committed?.[remote.key])),
          identityKey(pendingParentKey(state, property)),
        ])
        for (const key of keys) if (key !== undefined) cached(byParent, key, () => []).push(state)
      }
      return byParent
    })
  }
}

/**
 * The key of the parent a child's many-to-one names now, as the flush writes it: the object its side
 * of the relationship holds, else its foreign key's values.
 */
function pendingParentKey(child: InstanceState, property: RelationshipProperty): unknown[] {
  const reverse = property.backPopulates
  if (reverse && loadedOf(child).has(reverse)) {
    const parent = child.values[reverse]
    const committed = parent == null ? undefined : stateOf(parent).committed
    return property.pairs.map(([own]) => committed?.[own.key])
  }
  return property.pairs.map(([, remote]) => child.values[remote.key])
}

/**
 * What adding an object to `session` reaches through loaded `save-update` relationships, as
 * SQLAlchemy's add() cascades: objects outside the session (new ones, left to the flush's cascade, and
 * detached ones, to attach), at any depth through them, members a collection lost included; an object
 * in the session stops it. One of another session is refused (refuseForeign) before the caller
 * attaches anything, and so is one whose row is gone that the relationship gained since it was loaded
 * or flushed; a deleted member it already had (kept in a loaded collection: expireOnCommit is off by
 * default, where SQLAlchemy's commit expires the collection) is no save the application expects.
 */
export function reachedByAdd(state: InstanceState, session: SessionLike): InstanceState[]
export function reachedByAdd(
  state: InstanceState,
  session: SessionLike,
  since: ReachedBefore,
): InstanceState[] | undefined
export function reachedByAdd(
  state: InstanceState,
  session: SessionLike,
  since?: ReachedBefore,
): InstanceState[] | undefined {
  const reached = new Set([state])
  for (const current of reached) {
    if (current !== state && since?.handled.has(current)) {
      // Walked before: only the links it gained since lead anywhere new.
      for (const [key, object] of since.gained.get(current) ?? []) {
        if (relationshipOf(current.mapper, key).cascade.has("save-update"))
          visit(current, key, object, reached, state, session)
      }
      continue
    }
    for (const key of loadedOf(current)) {
      if (!relationshipOf(current.mapper, key).cascade.has("save-update")) continue
      const now = relatedOf(current, key)
      const before = committedCollectionsOf(current).get(key) ?? []
      // Copied into a set only to find what it lost: a new object's collection has lost nothing, and
      // copying one of thousands at each add() of a member was N times N.
      const kept = before.length === 0 ? undefined : new Set(now)
      const lost = kept ? before.filter((item) => !kept.has(item)) : []
      const known = new Set(before)
      for (const object of now.concat(lost)) visit(current, key, object, reached, state, session, known)
    }
  }
  // One walked before gained links this walk did not come to: what it reaches now is not known.
  if (since)
    for (const owner of since.gained.keys()) if (since.handled.has(owner) && !reached.has(owner)) return
  reached.delete(state)
  return [...reached]
}

/**
 * What an earlier add() walked (`handled`: the objects outside the session it reached, every one
 * walked through, checked and attached or left to the flush) and the links each gained since, by
 * relationship key: reachedByAdd goes through only those.
 */
export interface ReachedBefore {
  readonly handled: ReadonlySet<InstanceState>
  readonly gained: ReadonlyMap<InstanceState, readonly (readonly [string, object])[]>
}

function visit(
  current: InstanceState,
  key: string,
  object: object,
  reached: Set<InstanceState>,
  added: InstanceState,
  session: SessionLike,
  known?: ReadonlySet<object>,
): void {
  const other = stateOf(object)
  if (other.session === undefined && !other.gone) reached.add(other)
  else if (other.session !== undefined || !known?.has(object))
    refuseForeign(
      other,
      session,
      `, reached from the added ${added.mapper.name} through ${current.mapper.name}.${key} (cascading save-update),`,
    )
}

/**
 * Refuses, before the flush writes anything, an object of another session or whose row is gone that
 * a loaded `save-update` relationship of `state` gained since it was loaded or flushed: one written
 * where the collection could not see it (`books[0] = book`), or linked before `state` was in the
 * session. Assignments are refused when made (./relationship-accessors.ts); members the relationship
 * already had are left alone, as SQLAlchemy's flush leaves them.
 */
function refuseLinkedForeign(state: InstanceState, session: SessionLike): void {
  for (const key of loadedOf(state)) {
    if (!relationshipOf(state.mapper, key).cascade.has("save-update")) continue
    const now = relatedOf(state, key)
    const before = committedCollectionsOf(state).get(key)
    if (before && sameMembers(before, now)) continue
    const known = new Set(before)
    for (const item of now) {
      if (!known.has(item))
        refuseForeign(
          stateOf(item),
          session,
          `, in ${state.mapper.name}.${key} of an object of this session,`,
        )
    }
  }
}

/**
 * Refuses a new object linked through a relationship that does not cascade save-update, which the
 * flush would neither save nor link: its row would be missing while the commit reported success (and
 * its foreign key would hold a reference to a key never given). SQLAlchemy warns and skips it. One the
 * application expunged is left out as it asked, as SQLAlchemy's.
 */
function refuseUnsaved(state: InstanceState, session: SessionLike): void {
  for (const key of loadedOf(state)) {
    const property = relationshipOf(state.mapper, key)
    if (property.cascade.has("save-update")) continue
    for (const related of relatedOf(state, key)) {
      const other = stateOf(related)
      if (other.session !== undefined || other.committed !== undefined || other.expungedFrom === session)
        continue
      throw new InvalidRequestError(
        `A new ${other.mapper.name} is in ${state.mapper.name}.${key}, whose cascade leaves out save-update: the flush would not save it, and the link would be lost. Add it to the session (session.add()), or give the relationship the save-update cascade`,
      )
    }
  }
}

/**
 * Refuses a many-to-one that names a new object the flush leaves out (the application expunged it, or
 * delete()d it while pending): the row's foreign key would be the key of a row never inserted. SQLAlchemy
 * warns and leaves the key as it was, while the object goes on naming the other as its parent, and its
 * session believing the link stored; sent, the flush failed on "is linked to but not part of the flush".
 */
function refuseLinkToLeftOut(state: InstanceState, pending: ReadonlySet<InstanceState>): void {
  for (const key of loadedOf(state)) {
    const property = relationshipOf(state.mapper, key)
    const target = state.values[key] as object | null | undefined
    if (property.direction !== "many-to-one" || !target) continue
    const other = stateOf(target)
    if (other.committed !== undefined || pending.has(other)) continue
    throw new InvalidRequestError(
      `${state.mapper.name}.${key} names a new ${other.mapper.name} that this flush does not insert (it was expunged, or deleted while pending), so the link cannot be written: add it back (session.add()), or set ${state.mapper.name}.${key} to another object or null`,
    )
  }
}

/**
 * The objects with a row but no session (expunged, or of a closed session; not deleted ones) or of
 * another session, reached from `state` through loaded relationships that cascade `delete`, at any depth.
 */
export function detachedThroughDelete(state: InstanceState): InstanceState[] {
  const reached = new Set([state])
  const found: InstanceState[] = []
  for (const current of reached) {
    for (const related of relatedThrough(current, "delete")) {
      const other = stateOf(related)
      if (reached.has(other) || other.committed === undefined || other.gone) continue
      reached.add(other)
      if (other.session !== state.session) found.push(other)
    }
  }
  return found
}

/** Objects reachable in one step through loaded relationships that cascade `cascade`. */
function relatedThrough(state: InstanceState, cascade: "save-update" | "delete"): object[] {
  const found: object[] = []
  for (const key of loadedOf(state)) {
    const property = relationshipOf(state.mapper, key)
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
function orphansOf(state: InstanceState, parents: readonly InstanceState[]): object[] {
  const found: object[] = []
  for (const key of loadedOf(state)) {
    const property = relationshipOf(state.mapper, key)
    if (property.direction !== "one-to-many" || !property.cascade.has("delete-orphan")) continue
    const before = committedCollectionsOf(state).get(key)
    if (!before || before.length === 0) continue
    // A set: a collection of thousands, looked up once per member, was quadratic at every flush.
    const now = new Set(relatedOf(state, key))
    for (const item of before) {
      if (!now.has(item) && !hasOtherParent(stateOf(item), state, property, parents)) found.push(item)
    }
  }
  return found
}

/**
 * Whether a persistent child left its parent through a `delete-orphan` relationship: its many-to-one
 * side is loaded and empty while its foreign key still names the parent's row (not pointed elsewhere
 * by the application), and no loaded collection of that relationship holds it.
 */
function leftItsParent(child: InstanceState, parents: readonly InstanceState[]): boolean {
  for (const key of loadedOf(child)) {
    const property = relationshipOf(child.mapper, key)
    if (property.direction !== "many-to-one" || child.values[key] != null || !property.backPopulates) continue
    // Loaded as null and left so: its parent's row is missing (a key the database does not enforce),
    // which is no removal from a collection; SQLAlchemy deletes no such object either.
    if (!relationshipChanged(child, key)) continue
    const reverse = relationshipsOf(property.target).get(property.backPopulates)
    if (reverse?.direction !== "one-to-many" || !reverse.cascade.has("delete-orphan")) continue
    const named = property.pairs.every(
      ([local]) =>
        child.committed?.[local.key] != null &&
        sameValue(child.values[local.key], child.committed[local.key]),
    )
    if (!named) continue
    const taken = parents.some(
      (other) =>
        relationshipsOf(other.mapper).get(reverse.key) === reverse &&
        loadedOf(other).has(reverse.key) &&
        relatedOf(other, reverse.key).includes(child.object),
    )
    if (!taken) return true
  }
  return false
}

/** An object's model and primary key, for messages. */
function describeRow(state: InstanceState): string {
  return `${state.mapper.name} (${(state.identity ?? []).join(", ")})`
}

/** The key of the loaded relationship of `state` that holds `object`. */
function cascadeKey(state: InstanceState, object: object): string {
  return [...loadedOf(state)].find((key) => relatedOf(state, key).includes(object)) ?? ""
}

/** Whether two objects are of one row: the same model and primary key, both in the database. */
function sameRow(a: InstanceState, b: InstanceState): boolean {
  if (a.mapper !== b.mapper || !a.identity || !b.identity) return false
  const key = identityKey(a.identity)
  return key !== undefined && key === identityKey(b.identity)
}

/** Whether a child taken out of `parent`'s collection now belongs to another parent through it. */
function hasOtherParent(
  child: InstanceState,
  parent: InstanceState,
  property: RelationshipProperty,
  parents: readonly InstanceState[],
): boolean {
  // Its side of the relationship names another parent (`child.owner = other`); not an object of the
  // parent's own row (one expunged before a query loaded the row again), as SQLAlchemy compares keys.
  const reverse = property.backPopulates
  if (reverse && loadedOf(child).has(reverse)) {
    const named = child.values[reverse]
    if (named != null && named !== parent.object && !sameRow(stateOf(named), parent)) return true
  }
  // Another loaded collection of the relationship holds it (`other.children.push(child)`); not one of
  // another relationship with the same name (the comment's author's `comments`, beside its post's).
  const held = (other: InstanceState) =>
    other !== parent &&
    relationshipsOf(other.mapper).get(property.key) === property &&
    loadedOf(other).has(property.key) &&
    relatedOf(other, property.key).includes(child.object)
  if (parents.some(held)) return true
  // Its foreign key was pointed at another row (`child.ownerId = other.id`; a composite one may keep
  // some of its columns).
  const values = property.pairs.map(([, childColumn]) => child.values[childColumn.key])
  return (
    values.every((value) => value != null) &&
    property.pairs.some(([, childColumn], i) => !sameValue(values[i], child.committed?.[childColumn.key])) &&
    property.pairs.some(([own], i) => !sameValue(values[i], parent.committed?.[own.key]))
  )
}
