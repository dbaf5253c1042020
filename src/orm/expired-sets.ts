// What the application sets on an object that a commit expired (`expireOnCommit`). SQLAlchemy's expired
// attribute has no value: whatever is set on it afterwards is written by the next flush, even a value
// equal to the one it had. Ours keeps its values to be read (no implicit I/O), so a flush that compared
// them with the row as it was before the commit saw no change in `post.title = sameTitleAsBefore` and
// wrote nothing: another program's change since stood, and the application's assignment was lost
// (a many-to-one likewise: `book.shelf = sameShelfAsBefore`). The sets are noted here, in the write path:
// the column accessors are on every read worker, which cannot pay for this.
import { type Mapper, relationshipsOf, type Validator } from "./mapper.ts"
import { unloadRelationships } from "./session-changes.ts"
import { InstanceState, loadedOf, stateOf } from "./state.ts"

/** The committed row an expiry made stale, and the columns set since (both until a row replaces it). */
interface StaleRow {
  readonly committed: Record<string, unknown>
  readonly set: Set<string>
  /** Many-to-ones set since, with the values given: noted once the link is found to hold one (`settle`). */
  readonly links: Map<string, Set<unknown>>
}

const staleRows = new WeakMap<InstanceState, StaleRow>()

/**
 * Expires an object at commit: the next read of its row reloads it, its relationships are unloaded
 * (what they were, as well as what they are, is no longer known: a many-to-one set again is written),
 * and columns set from now on count as changed until a row (a flush's, a query's) replaces its
 * committed one.
 */
export function expire(state: InstanceState): void {
  unloadRelationships(state)
  expireColumns(state)
}

/**
 * Expires an object's columns only: its row is read again by the next query or `get` that reaches it
 * (the columns set since keep their values), and the columns set until then count as changed.
 */
export function expireColumns(state: InstanceState): void {
  state.expired = true
  if (!state.committed) return
  staleRows.set(state, { committed: state.committed, set: new Set(), links: new Map() })
  watchSets(state.mapper)
}

/**
 * Notes that `key` (a column) was set on an object whose committed row is stale: it is written by the
 * next flush, as SQLAlchemy writes an expired attribute that was set. The flush calls it for the
 * foreign keys it sets from relationships.
 */
export function noteSet(state: InstanceState, key: string): void {
  const stale = staleRows.get(state)
  if (!stale || stale.committed !== state.committed) return
  stale.set.add(key)
  // The object's own modifiedColumns: what reloading its row (which keeps changed columns) and the
  // flush (which writes them) ask.
  if (!Object.hasOwn(state, "modifiedColumns")) state.modifiedColumns = modifiedOrSet
}

/** Whether a column was set on the object since its row went stale (a change the values cannot show). */
export function setWhileExpired(state: InstanceState): boolean {
  const stale = staleRows.get(state)
  if (stale) settle(state, stale)
  return stale !== undefined && stale.committed === state.committed && stale.set.size > 0
}

/** Forgets the sets of an object whose changes a rollback dropped. */
export function dropExpiredSets(state: InstanceState): void {
  staleRows.get(state)?.set.clear()
  staleRows.get(state)?.links.clear()
}

/**
 * A many-to-one set on a stale object. Its hook runs after the relationship's validators, but the
 * assignment may still be refused after it (an object of another model or session, the other side's
 * validator): noted at once, a refused link's foreign key was written back over the row's. So it is
 * noted only if the link holds a value it was given when the flush asks.
 */
function linkSet(state: InstanceState, key: string, value: unknown): void {
  const stale = staleRows.get(state)
  if (!stale || stale.committed !== state.committed) return
  const given = stale.links.get(key) ?? new Set()
  stale.links.set(key, given.add(value ?? null))
  if (!Object.hasOwn(state, "modifiedColumns")) state.modifiedColumns = modifiedOrSet
}

function settle(state: InstanceState, stale: StaleRow): void {
  for (const [key, given] of stale.links) {
    if (!loadedOf(state).has(key) || !given.has(state.values[key] ?? null)) continue
    for (const column of watchers.get(state.mapper)?.foreignKeys.get(key) ?? []) noteSet(state, column)
  }
  stale.links.clear()
}

function modifiedOrSet(this: InstanceState): string[] {
  const modified = InstanceState.prototype.modifiedColumns.call(this)
  const stale = staleRows.get(this)
  if (stale) settle(this, stale)
  if (!stale || stale.committed !== this.committed || stale.set.size === 0) return modified
  return this.mapper.columnKeys.filter((key) => modified.includes(key) || stale.set.has(key))
}

/** Each mapper's watcher, and the keys it watches: columns, and many-to-ones (their foreign keys). */
const watchers = new WeakMap<
  Mapper,
  {
    readonly watcher: Validator
    readonly keys: readonly string[]
    readonly foreignKeys: ReadonlyMap<string, readonly string[]>
  }
>()

/**
 * Sets reach the session through the mapper's validators, which every set runs (a column's accessor,
 * a many-to-one's on either side of its link, merge()): one more, last, so that a set another
 * validator refuses is not noted.
 */
function watchSets(mapper: Mapper): void {
  let watching = watchers.get(mapper)
  if (!watching) {
    const foreignKeys = new Map<string, readonly string[]>()
    for (const [key, property] of relationshipsOf(mapper)) {
      if (property.direction === "many-to-one")
        foreignKeys.set(
          key,
          property.pairs.map(([own]) => own.key),
        )
    }
    const watcher: Validator = (key, value, object) => {
      const state = stateOf(object)
      if (foreignKeys.has(key)) linkSet(state, key, value)
      else noteSet(state, key)
      return value
    }
    watching = { watcher, keys: [...mapper.columnKeys, ...foreignKeys.keys()], foreignKeys }
    watchers.set(mapper, watching)
  }
  const { watcher, keys } = watching
  for (const key of keys) {
    const validators = mapper.validators.get(key) ?? []
    if (validators.at(-1) === watcher) continue
    mapper.validators.set(key, [...validators.filter((validator) => validator !== watcher), watcher])
  }
}
