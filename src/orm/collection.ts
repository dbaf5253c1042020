// The array behind a one-to-many or many-to-many attribute. It is a real Array; adding or removing
// through push/unshift/splice/pop/shift tells the relationship, so that `user.posts.push(post)` sets
// `post.author` as SQLAlchemy's instrumented lists do. Derived arrays (map, filter) are plain arrays.
// What it cannot see (an index write, a length change, fill) it finds before a flush: the difference
// between what it holds and what it last told (`unannounced`).
import { type InstanceState, sameMembers } from "./state.ts"

export interface CollectionEvents<T> {
  /** What to store for an item about to be added (validators run here, and may refuse it). */
  accepted(item: T): T
  /** Told the items once every one is accepted, before any is stored. */
  attach?(items: readonly T[]): void
  appended(item: T): void
  removed(item: T): void
}

/**
 * Changes to relationships' values, for the session's add(), which walks again only what changed
 * since its last walk (./session.ts): `count` counts those that may take a link away (or that are not
 * told otherwise); `gained` lists the links added (owner state, relationship key, object) while an
 * add() listens, else is undefined. Index writes are in neither: the flush finds them.
 */
export const relationshipWrites: {
  count: number
  gained: (readonly [owner: InstanceState, key: string, item: object])[] | undefined
  listeners: number
} = { count: 0, gained: undefined, listeners: 0 }

export class RelationshipList<T> extends Array<T> {
  static override get [Symbol.species]() {
    return Array
  }

  #events: CollectionEvents<T> | undefined
  /** The members as last told (both sides of each link set). Shared with the array it was made from
   *  (a loader's, never changed) until the list first changes it. */
  #announced: readonly T[] = []
  #ownsAnnounced = false

  /** Binds the list to its owner's relationship; items already in it are not re-announced. */
  static of_<T>(items: readonly T[], events: CollectionEvents<T>): RelationshipList<T> {
    // Sized, then filled by index: pushing onto an Array subclass takes V8's slow path (10x here).
    const list = new RelationshipList<T>(items.length)
    for (let i = 0; i < items.length; i++) list[i] = items[i] as T
    list.#events = events
    list.#announced = items
    return list
  }

  /**
   * What the list gained and lost since it last told, by means it does not see (`tags[0] = tag`,
   * `length = 0`, `fill()`), or undefined; from then on, what it holds counts as told. `check` sees
   * each item gained first: one it refuses (throws) leaves it all untold, to be refused again.
   */
  unannounced(check?: (item: T) => void): { readonly gained: T[]; readonly lost: T[] } | undefined {
    const told = this.#announced
    if (sameMembers(told as unknown as object[], this as unknown as object[])) return undefined
    const [had, has] = [new Set(told), new Set(this)]
    const gained = this.filter((item) => !had.has(item))
    if (check) for (const item of gained) check(item)
    this.#announced = Array.from(this)
    this.#ownsAnnounced = true
    return { gained, lost: told.filter((item) => !has.has(item)) }
  }

  /**
   * Whether its length differs from what it last told: a write it cannot see resized it (`length = 0`,
   * an index past the end). Constant time, unlike unannounced(); a same-length index write is not seen.
   */
  resizedUnannounced(): boolean {
    return this.length !== this.#announced.length
  }

  #tell(lost: readonly T[], gained: readonly T[]): void {
    if (!this.#ownsAnnounced) {
      this.#announced = [...this.#announced]
      this.#ownsAnnounced = true
    }
    const told = this.#announced as T[]
    for (const item of lost) {
      const at = told.indexOf(item)
      if (at !== -1) told.splice(at, 1)
    }
    told.push(...gained)
  }

  override push(...added: T[]): number {
    const items = this.#accepted(added)
    const length = super.push(...items)
    this.#tell([], items)
    for (const item of items) this.#events?.appended(item)
    return length
  }

  override unshift(...added: T[]): number {
    const items = this.#accepted(added)
    const length = super.unshift(...items)
    this.#tell([], items)
    for (const item of items) this.#events?.appended(item)
    return length
  }

  override splice(start: number, ...rest: [deleteCount?: number, ...added: T[]]): T[] {
    const [deleteCount, ...added] = rest
    const items = this.#accepted(added)
    // As Array's own: a call without a count removes to the end, one given undefined removes none (it
    // emptied the list, its children orphaned, and inserted nothing).
    const removed =
      rest.length === 0 ? super.splice(start) : super.splice(start, deleteCount as number, ...items)
    this.#tell(removed, items)
    for (const item of removed) this.#events?.removed(item)
    for (const item of items) this.#events?.appended(item)
    return Array.from(removed)
  }

  override pop(): T | undefined {
    return this.length === 0 ? undefined : this.splice(this.length - 1, 1)[0]
  }

  override shift(): T | undefined {
    return this.length === 0 ? undefined : this.splice(0, 1)[0]
  }

  /** Every item as it is to be stored, before any is: one refused leaves the list as it was. */
  #accepted(items: T[]): T[] {
    const events = this.#events
    if (!events) return items
    const accepted = items.map((item) => events.accepted(item))
    events.attach?.(accepted)
    return accepted
  }

  /**
   * Adds without announcing (the other side of a back-populated link is already set); `fresh`: the
   * item is known to be in no collection (a new object's first link), so it is not looked for, which
   * made building thousands of children of one parent quadratic.
   */
  addQuietly(item: T, fresh = false): void {
    if (!fresh && this.includes(item)) return
    super.push(item)
    this.#tell([], [item])
  }

  /** Removes without announcing. */
  removeQuietly(item: T): void {
    const index = this.indexOf(item)
    if (index === -1) return
    super.splice(index, 1)
    this.#tell([item], [])
  }
}
