// Accessors on a model's prototype for its relationships: they keep the other side of a back-populated
// link in sync, and reading one that was never loaded raises NotLoadedError naming the fix: there is no
// implicit I/O. Reached through the relationships plugin (./relationships.ts).
import { InvalidRequestError, NotLoadedError } from "../errors.ts"
import { type CollectionEvents, RelationshipList, relationshipWrites } from "./collection.ts"
import { described } from "./described.ts"
import { validated } from "./instance-accessors.ts"
import { type Mapper, type RelationshipProperty, relationshipOf } from "./mapper.ts"
import {
  committedCollectionsOf,
  type InstanceState,
  loadedOf,
  refuseForeign,
  STATE,
  stateOf,
} from "./state.ts"

/**
 * Sets a new object's attributes (`new Post({ ... })`) in the order given; refused midway (a validator,
 * an object of another session), the links made so far are taken back: a parent's collection would
 * otherwise keep the half-made object, for that session's next commit to insert.
 */
export function initializeLinked(
  object: Record<string, unknown>,
  init: Record<string, unknown>,
  relationships: ReadonlyMap<string, unknown>,
): void {
  const linked: string[] = []
  try {
    for (const key of Object.keys(init)) {
      object[key] = init[key]
      if (relationships.has(key)) linked.push(key)
    }
  } catch (error) {
    for (const key of linked) object[key] = Array.isArray(object[key]) ? [] : null
    throw error
  }
}

export function defineRelationshipAccessors(prototype: object, mapper: Mapper): void {
  for (const key of mapper.relationshipSpecs.keys()) {
    Object.defineProperty(prototype, key, {
      enumerable: true,
      get(this: { [STATE]: InstanceState }) {
        return readRelationship(this[STATE], key)
      },
      set(this: { [STATE]: InstanceState }, value: unknown) {
        writeRelationship(this[STATE], key, value)
      },
    })
  }
}

function readRelationship(state: InstanceState, key: string): unknown {
  if (loadedOf(state).has(key)) return state.values[key]
  const property = relationshipOf(state.mapper, key)
  if (state.committed === undefined) {
    // A many-to-one whose key the application set names a row that is not loaded: null, as SQLAlchemy
    // answers for a pending object, but not kept as loaded, which read null ever after (once committed,
    // the key naming its row; a query's joinedload leaves a loaded value alone).
    if (
      property.direction === "many-to-one" &&
      property.pairs.every(([own]) => state.values[own.key] != null)
    )
      return null
    // A new object has nothing in the database to load: its relationships start empty, unchanged (so
    // reading one does not override a foreign key the application set itself).
    setRelationship(state, property, property.uselist ? [] : null)
    committedCollectionsOf(state).set(key, [])
    return state.values[key]
  }
  throw new NotLoadedError(
    `${state.mapper.name}.${key} is not loaded (no implicit I/O): load it with the query, ` +
      `.options(selectinload(${state.mapper.cls.name}.${key})), or await session.refresh(obj, ["${key}"])`,
  )
}

// Validators (`validates`) see what is added, before anything changes, so one that refuses leaves both
// sides as they were: a collection's validator each item it gains, a scalar's its new value, and the
// other side's validator the owner it gains through the back-populated link (SQLAlchemy's defaults).
function writeRelationship(state: InstanceState, key: string, value: unknown): void {
  const property = relationshipOf(state.mapper, key)
  if (!loadedOf(state).has(key) && state.committed !== undefined && replacesRows(property)) {
    // The rows that point here now must be unlinked or orphaned: SQLAlchemy loads them to know which.
    throw new NotLoadedError(
      `${state.mapper.name}.${key} is not loaded: assigning it replaces the rows that point at this one, which must be known first (no implicit I/O): ` +
        `load it with the query, .options(selectinload(${state.mapper.cls.name}.${key})), or await session.refresh(obj, ["${key}"]); or set each new member's own side`,
    )
  }
  if (property.uselist) {
    // A single object, or anything else not a list, would have emptied the collection.
    if (value != null && !Array.isArray(value)) {
      throw new InvalidRequestError(
        `${state.mapper.name}.${key} is a collection: assign an array of ${property.target.name} objects, not ${described(value)}`,
      )
    }
    // Sets: a collection of thousands reassigned looked each member up in the other list.
    const previous = new Set(loadedOf(state).has(key) ? (state.values[key] as object[]) : [])
    const given = Array.isArray(value) ? (value as object[]) : []
    const next = given.map((item) => (previous.has(item) ? item : accepted(state, property, item)))
    attach(
      state,
      property,
      next.filter((item) => !previous.has(item)),
    )
    const kept = new Set(next)
    for (const item of previous) if (!kept.has(item)) unlinkBack(state, property, item)
    if (!loadedOf(state).has(key) && state.committed !== undefined) dropFromOtherSides(state, property, kept)
    setRelationship(state, property, next)
    for (const item of next) {
      if (previous.has(item)) continue
      gained(state, key, item)
      linkBack(state, property, item)
    }
    return
  }
  // A new object's first value for it (`new Child({ parent })`): the object is in no collection yet.
  const fresh = state.committed === undefined && !loadedOf(state).has(key)
  const previous = loadedOf(state).has(key) ? (state.values[key] as object | null) : null
  const next = value
    ? accepted(state, property, value as object)
    : validated(state.mapper, key, value, state.object)
  if (next) attach(state, property, [next as object])
  setRelationship(state, property, next ?? null)
  if (previous && previous !== next) unlinkBack(state, property, previous)
  if (next && next !== previous) gained(state, key, next as object)
  if (next && (next !== previous || resizedUnseen(property, next as object)))
    linkBack(state, property, next as object, fresh)
  // The same object again: the other side holds it already (SQLAlchemy's backref returns when oldchild
  // is child); looking for it in a collection of thousands made merge() of such a graph N^3. Still a
  // link anew for an object expunged while pending, as linkBack takes it.
  else if (next) stateOf(next as object).expungedFrom = undefined
}

/**
 * Whether the other side's collection of `item` was resized where its list cannot see it (`length = 0`):
 * the owner, given `item` again, may have been taken out, and is put back (looked for) as a new link is,
 * or the flush would unlink it as that write's loss (86b9b6b skipped it).
 */
function resizedUnseen(property: RelationshipProperty, item: object): boolean {
  const back = property.backPopulates
  const list = back && stateOf(item).values[back]
  return list instanceof RelationshipList && list.resizedUnannounced()
}

/**
 * A persistent object's collection assigned without its members loaded (a link table's: the flush
 * replaces every link the row has). Its old members are unknown, but the loaded other sides that list
 * it are the session's: they lose it, as SQLAlchemy's assignment (which loads the old members and
 * fires their remove events) takes it out of them. Kept, `t2.posts` listed a post the flush unlinked.
 */
function dropFromOtherSides(state: InstanceState, property: RelationshipProperty, kept: Set<object>): void {
  const back = property.backPopulates
  if (!back) return
  for (const other of state.session?.heldOf?.(property.target) ?? []) {
    if (!kept.has(other)) dropLink(stateOf(other), back, state.object)
  }
}

/** Tells the session's add() that `owner`'s relationship `key` links `item` now (see relationshipWrites). */
function gained(owner: InstanceState, key: string, item: object): void {
  relationshipWrites.gained?.push([owner, key, item])
}

/** Whether assigning the relationship moves other rows' foreign keys: a one-to-many without a link table. */
function replacesRows(property: RelationshipProperty): boolean {
  return property.direction === "one-to-many" && !property.secondary
}

/** `item` as `state`'s relationship stores it, once its validators and the other side's accept it. */
function accepted(state: InstanceState, property: RelationshipProperty, item: object): object {
  const stored = validated(state.mapper, property.key, item, state.object) as object
  if (stored) refuseUnlike(state, property, stored)
  // Into an object of a session, through a relationship that cascades save-update: one of another
  // session, or deleted, is refused now, as SQLAlchemy's backref cascade refuses it at the assignment.
  const session = state.session
  if (stored && session && property.cascade.has("save-update"))
    refuseForeign(stateOf(stored), session, `, assigned to ${state.mapper.name}.${property.key},`)
  const back = property.backPopulates
  if (back && stored) validated(stateOf(stored).mapper, back, state.object, stored)
  return stored
}

/**
 * Only objects of the relationship's own model go into it. A plain object has no state to link; an
 * object of another model (a User pushed into post.tags) was linked by its key, as the row of the
 * target that has that key: another tag, silently. SQLAlchemy refuses it too ("doesn't handle objects
 * of type").
 */
function refuseUnlike(state: InstanceState, property: RelationshipProperty, item: unknown): void {
  const target = property.target
  if ((item as { [STATE]?: InstanceState } | null)?.[STATE]?.mapper === target) return
  throw new InvalidRequestError(
    `${state.mapper.name}.${property.key} takes ${target.name} objects (new ${target.name}({ ... })), not ${described(item)}`,
  )
}

/**
 * Into an object of a session, through a relationship that cascades save-update: the detached ones of
 * `items` are attached (their links would otherwise never be written), or refused when the session
 * holds another object for one's row. Once every item is accepted, before any is stored: attached as
 * each was accepted, an assignment a later validator refused had attached the earlier ones.
 */
function attach(state: InstanceState, property: RelationshipProperty, items: readonly object[]): void {
  const session = state.session
  if (!session?.add || !property.cascade.has("save-update")) return
  for (const item of items) {
    const other = stateOf(item)
    if (!other.session && other.committed !== undefined) session.add(item)
  }
}

/** Stores a relationship value as loaded; collections become RelationshipLists bound to the owner. */
export function setRelationship(state: InstanceState, property: RelationshipProperty, value: unknown): void {
  if (property.uselist) {
    const events = new BackLink(state, property)
    state.values[property.key] = RelationshipList.of_((value as object[] | null) ?? [], events)
  } else {
    state.values[property.key] = value
  }
  loadedOf(state).add(property.key)
}

/** A collection's events: adding or removing an item sets or clears the other side of the link. */
class BackLink implements CollectionEvents<object> {
  constructor(
    readonly state: InstanceState,
    readonly property: RelationshipProperty,
  ) {}

  accepted(item: object): object {
    return accepted(this.state, this.property, item)
  }

  attach(items: readonly object[]): void {
    attach(this.state, this.property, items)
  }

  appended(item: object): void {
    gained(this.state, this.property.key, item)
    linkBack(this.state, this.property, item)
  }

  removed(item: object): void {
    relationshipWrites.count++
    unlinkBack(this.state, this.property, item)
  }
}

/**
 * `post.author = user` puts `post` in `user.posts`, when that collection is loaded (or new). A new link
 * takes an object expunged while pending back into its owner's cascade, as SQLAlchemy's does.
 */
function linkBack(owner: InstanceState, property: RelationshipProperty, item: object, fresh = false): void {
  const other = stateOf(item)
  other.expungedFrom = undefined
  const back = property.backPopulates
  if (!back) return
  const backProperty = relationshipOf(other.mapper, back)
  if (backProperty.uselist) {
    if (!loadedOf(other).has(back) && other.committed !== undefined) return
    if (!loadedOf(other).has(back)) setRelationship(other, backProperty, [])
    ;(other.values[back] as RelationshipList<object>).addQuietly(owner.object, fresh)
    gained(other, back, owner.object)
  } else {
    const previous = loadedOf(other).has(back) ? (other.values[back] as object | null) : null
    if (previous === owner.object) return
    setRelationship(other, backProperty, owner.object)
    gained(other, back, owner.object)
    // A child moves between parents: it leaves the previous parent's collection (one-to-one: the
    // previous parent's link to it is cleared).
    if (previous) dropLink(stateOf(previous), property.key, item)
  }
}

/**
 * Links what a loaded collection gained or lost by means its list cannot see (an index write,
 * `length = 0`, `fill()`), as `push` and `splice` would have at once: the other side of each link, a
 * removed child's many-to-one. Run before a flush reads relationships. Validators do not run for such
 * writes. Whether there was any.
 */
export function linkIndexWrites(state: InstanceState): boolean {
  let any = false
  for (const key of loadedOf(state)) {
    const list = state.values[key]
    if (!(list instanceof RelationshipList)) continue
    const property = relationshipOf(state.mapper, key)
    // Another model's object written by index would be linked by its key, as the target row with it.
    const changed = list.unannounced((item) => refuseUnlike(state, property, item))
    if (!changed) continue
    any = true
    for (const item of changed.lost) unlinkBack(state, property, item)
    for (const item of changed.gained) linkBack(state, property, item)
  }
  return any
}

function unlinkBack(owner: InstanceState, property: RelationshipProperty, item: object): void {
  relationshipWrites.count++
  const back = property.backPopulates
  const other = stateOf(item)
  if (back && loadedOf(other).has(back)) {
    const backProperty = relationshipOf(other.mapper, back)
    if (backProperty.uselist) (other.values[back] as RelationshipList<object>).removeQuietly(owner.object)
    else if (other.values[back] === owner.object) other.values[back] = null
  } else if (back && other.committed !== undefined && !relationshipOf(other.mapper, back).uselist) {
    // Its many-to-one, not loaded (a rollback unloaded it), is cleared all the same, as SQLAlchemy's
    // backref sets it to None without loading it: the flush unlinks it, or deletes it as an orphan,
    // whoever held it, a parent the session does not hold included.
    setRelationship(other, relationshipOf(other.mapper, back), null)
  }
  // A new child taken out of a delete-orphan collection, with no parent left, is out of the owner's
  // session, as SQLAlchemy's remove event expunges it: the flush would otherwise insert it without its
  // parent (a NOT NULL failure that took the whole commit down, or an orphan row where the key is
  // nullable), added or reached through another collection that holds it (its category's books).
  // Taken out of the collection of a parent the session does not hold (expunged), it is expunged from
  // its own, as SQLAlchemy's flush expunges a pending object orphaned outside of the session.
  const session = owner.session ?? other.session
  if (
    property.direction === "one-to-many" &&
    property.cascade.has("delete-orphan") &&
    other.committed === undefined &&
    session !== undefined &&
    (!back || (loadedOf(other).has(back) && other.values[back] == null))
  ) {
    if (other.session === session) session.expunge?.(item)
    else if (other.session === undefined) other.expungedFrom = session
  }
}

/** Takes `item` out of a loaded relationship of `state`: out of a collection, or a scalar set to null. */
function dropLink(state: InstanceState, key: string, item: object): void {
  relationshipWrites.count++
  if (!loadedOf(state).has(key)) return
  const value = state.values[key]
  if (value instanceof RelationshipList) value.removeQuietly(item)
  else if (value === item) state.values[key] = null
}
