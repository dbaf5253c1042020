// The array behind a one-to-many or many-to-many attribute. It is a real Array; adding or removing
// through push/unshift/splice/pop/shift tells the relationship, so that `user.posts.push(post)` sets
// `post.author` as SQLAlchemy's instrumented lists do. Derived arrays (map, filter) are plain arrays.

export interface CollectionEvents<T> {
  /** What to store for an item about to be added (validators run here, and may refuse it). */
  accepted(item: T): T
  appended(item: T): void
  removed(item: T): void
}

export class RelationshipList<T> extends Array<T> {
  static override get [Symbol.species]() {
    return Array
  }

  #events: CollectionEvents<T> | undefined

  /** Binds the list to its owner's relationship; items already in it are not re-announced. */
  static of_<T>(items: readonly T[], events: CollectionEvents<T>): RelationshipList<T> {
    // Sized, then filled by index: pushing onto an Array subclass takes V8's slow path (10x here).
    const list = new RelationshipList<T>(items.length)
    for (let i = 0; i < items.length; i++) list[i] = items[i] as T
    list.#events = events
    return list
  }

  override push(...added: T[]): number {
    const items = this.#accepted(added)
    const length = super.push(...items)
    for (const item of items) this.#events?.appended(item)
    return length
  }

  override unshift(...added: T[]): number {
    const items = this.#accepted(added)
    const length = super.unshift(...items)
    for (const item of items) this.#events?.appended(item)
    return length
  }

  override splice(start: number, deleteCount?: number, ...added: T[]): T[] {
    const items = this.#accepted(added)
    const removed =
      deleteCount === undefined ? super.splice(start) : super.splice(start, deleteCount, ...items)
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
    return events ? items.map((item) => events.accepted(item)) : items
  }

  /** Adds without announcing (the other side of a back-populated link is already set). */
  addQuietly(item: T): void {
    if (!this.includes(item)) super.push(item)
  }

  /** Removes without announcing. */
  removeQuietly(item: T): void {
    const index = this.indexOf(item)
    if (index !== -1) super.splice(index, 1)
  }
}
