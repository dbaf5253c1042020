// What AsyncSession's unit of work needs to know about objects' changes: whether relationships
// changed, how to drop unflushed changes, what a flush saved to put objects back, the mapper listeners
// it runs, and how a failed row check becomes StaleDataError.
import { EdgeAlchemyError, InvalidRequestError, ProgrammingError, StaleDataError } from "../errors.ts"
import type { Expression } from "../sql/expression.ts"
import type { Column } from "../sql/schema/column.ts"
import { type FlushContext, mapperListeners } from "./events.ts"
import { type FlushPlan, keyOf } from "./flush/plan.ts"
import { STALE_MARKER } from "./flush/render.ts"
import {
  committedCollectionsOf,
  type InstanceState,
  loadedOf,
  relatedOf,
  relationshipChanged,
  sameMembers,
  sameValue,
  stateOf,
} from "./state.ts"

/** An object's values and committed state, as saved before a flush. */
export interface SavedState {
  readonly values: Record<string, unknown>
  readonly committed: Record<string, unknown> | undefined
  /** The members of its loaded collections, which change in place (a flush listener's push). */
  readonly members?: ReadonlyMap<string, readonly object[]>
}

/** An object as a flush found it, to put back if the flush fails: values, and collections' members. */
export function saveOf(state: InstanceState): SavedState {
  const members = new Map<string, readonly object[]>()
  for (const key of loadedOf(state)) {
    const value = state.values[key]
    if (Array.isArray(value)) members.set(key, [...value])
  }
  return { values: { ...state.values }, committed: state.committed, members }
}

/**
 * An object as a savepoint saved it: also whether it was marked for deletion, and the members of its
 * loaded relationships (collections change in place, so `values` alone would not keep them).
 */
export interface Snapshot extends SavedState {
  readonly deleted: boolean | undefined
  readonly related: ReadonlyMap<string, readonly object[]>
  /**
   * The loaded relationships whose members as the database had them (`committedCollections`) were not
   * `related` (unknown, or changes not flushed): those. Most have none, and take no map.
   */
  readonly committedRelated?: ReadonlyMap<string, readonly object[] | undefined>
}

/** The objects' values, committed state and deletion marks, to put back if a savepoint rolls back. */
export function snapshotOf(states: readonly InstanceState[]): Map<InstanceState, Snapshot> {
  return new Map(
    states.map((state) => {
      const related = new Map<string, readonly object[]>()
      let committedRelated: Map<string, readonly object[] | undefined> | undefined
      for (const key of loadedOf(state)) {
        const members = [...relatedOf(state, key)]
        related.set(key, members)
        const committed = committedCollectionsOf(state).get(key)
        if (committed && sameMembers(committed, members)) continue
        committedRelated ??= new Map()
        committedRelated.set(key, committed)
      }
      const values = { ...state.values }
      const snapshot = { values, committed: state.committed, deleted: state.deleted, related }
      return [state, committedRelated ? { ...snapshot, committedRelated } : snapshot]
    }),
  )
}

/**
 * Puts an object back as the savepoint found it. A relationship whose members changed since is
 * unloaded (`refresh()` loads it), as SQLAlchemy expires it: what the database has for it is what the
 * savepoint found, which a list changed in place no longer holds. So is one a flush inside the
 * savepoint wrote, though its members are back as they were (pushed, flushed, popped): its
 * committed members say what the rollback undid, and the next flush would write the difference (a
 * member unlinked from the row it is on, a link inserted twice).
 */
export function restoreSnapshot(state: InstanceState, snapshot: Snapshot): void {
  const changed = [...loadedOf(state)].filter((key) => {
    const before = snapshot.related.get(key)
    if (!before || !sameMembers(before, relatedOf(state, key))) return true
    const committed = snapshot.committedRelated?.has(key) ? snapshot.committedRelated.get(key) : before
    const now = committedCollectionsOf(state).get(key)
    return now !== committed && !(now && committed && sameMembers(now, committed))
  })
  restoreSaved(state, snapshot)
  state.deleted = snapshot.deleted
  for (const key of changed) unload(state, key)
}

/** What the flushes of one interactive transaction wrote. */
export interface FlushedInTransaction {
  /** Objects whose rows it inserted. */
  readonly inserted: Set<InstanceState>
  /** Objects it updated or deleted, as they were before its first flush that wrote them. */
  readonly before: Map<InstanceState, SavedState>
  /**
   * Objects first held through an upsert's (ON CONFLICT DO UPDATE) or an UPDATE's RETURNING rows: what
   * their rows were before is unknown (an upsert's may not have been there at all), so a rollback lets
   * them go rather than vouch for a row state that may not exist.
   */
  readonly returned: Set<InstanceState>
}

/** What an interactive transaction has written, before its first write. */
export function nothingFlushed(): FlushedInTransaction {
  return { inserted: new Set(), before: new Map(), returned: new Set() }
}

/** Notes in `flushed` what a flush inside an interactive transaction wrote, as it was before the transaction. */
export function recordFlushed(
  flushed: FlushedInTransaction,
  plan: FlushPlan,
  saved: ReadonlyMap<InstanceState, SavedState>,
): void {
  for (const state of plan.inserted) flushed.inserted.add(state)
  // Also the stored objects whose only change was a relationship (called before the flush's answer
  // snapshots them): a savepoint's rollback unloads the relationships of those it first loaded, which
  // would otherwise keep the links it undid as what the database has.
  const linked = [...saved.keys()].filter(
    (state) => state.committed !== undefined && !state.deleted && relationshipsChanged(state),
  )
  for (const state of [...plan.updated, ...plan.deleted, ...linked]) {
    const before = saved.get(state)
    if (before && !flushed.inserted.has(state) && !flushed.before.has(state))
      flushed.before.set(state, before)
  }
}

/** Puts an object's values and committed snapshot back as they were saved. */
export function restoreSaved(state: InstanceState, saved: SavedState): void {
  for (const key of Object.keys(state.values)) if (!(key in saved.values)) delete state.values[key]
  Object.assign(state.values, saved.values)
  state.committed = saved.committed
  // Members back in place, without telling the other sides: the list's next diff against what it
  // last told (./collection.ts) unlinks what a listener linked.
  for (const [key, members] of saved.members ?? []) {
    const list = state.values[key]
    if (Array.isArray(list) && !sameMembers(members, list))
      Array.prototype.splice.call(list, 0, list.length, ...members)
  }
}

/**
 * An object whose flushed write a transaction undid: its columns as `committed` (what the database has
 * again) and its relationships unloaded (`refresh()` loads them), as SQLAlchemy expires it.
 */
export function revertToCommitted(
  state: InstanceState,
  committed: Record<string, unknown> | undefined,
): void {
  const values = committed ?? {}
  for (const key of state.mapper.columnKeys) {
    if (key in values) state.values[key] = values[key]
    else delete state.values[key]
  }
  state.committed = committed
  unloadRelationships(state)
}

/** Runs before* or after* mapper listeners for the rows of a plan not yet told; true if any ran. */
export function notify(
  plan: FlushPlan,
  when: "before" | "after",
  told: Set<InstanceState>,
  context: FlushContext,
  /** Persistent objects whose only change is a relationship: dirty, as SQLAlchemy tells them. */
  touched: readonly InstanceState[],
  /** Told before each object's listeners run (./flush/listener-growth.ts). */
  telling?: (state: InstanceState, listener: string) => void,
): boolean {
  let ran = false
  // A row switch is an UPDATE of the row, as SQLAlchemy tells it: the new object's update events, and
  // none of a deletion for the object whose row it took over (an audit would log a delete that never was).
  const { switches } = plan
  const switchedOut = new Set(switches.values())
  // An addUnique row may be found rather than inserted: no insert events (an audit would log a row
  // the statement never wrote).
  const groups = [
    [plan.inserted.filter((state) => !switches.has(state) && !state.uniqueBy), "Insert"],
    [[...plan.updated, ...switches.keys(), ...touched], "Update"],
    [plan.deleted.filter((state) => !switchedOut.has(state)), "Delete"],
  ] as const
  for (const [states, what] of groups) {
    for (const state of states) {
      if (told.has(state)) continue
      told.add(state)
      const listeners = mapperListeners(state.mapper).get(`${when}${what}`)
      const event = `${state.mapper.name} ${when}${what}`
      if (listeners.length > 0) telling?.(state, event)
      for (const listener of listeners) callListener(event, () => listener(state.object, context))
      ran ||= listeners.length > 0
    }
  }
  return ran
}

/**
 * Runs the application's listener of `event`. Listeners are synchronous, as SQLAlchemy's: a flush or
 * commit does not wait for a promise (awaiting one that flushes or queries the session would wait on
 * itself), so an async listener's work after its first await would land after the flush went out, and
 * its rejection nowhere. One that returns a promise fails the flush or commit instead, with the
 * promise's rejection, once it comes, as the error's cause. After the transaction has `ended`
 * (afterCommit, afterRollback) nothing is left for its work to come too late for: the promise runs on
 * unawaited (an e-mail sent once the row is stored), and its rejection is reported, the commit standing.
 * Failing the commit there told the app that a stored row was not, and a retry stored it twice.
 */
export function callListener(event: string, call: () => unknown, ended = false): void {
  const result = call()
  if (!(result instanceof Promise)) return
  if (ended) {
    result.catch((reason: unknown) =>
      console.error(
        `[edgealchemy] the promise of an ${event} listener rejected; the transaction's end stands:`,
        reason,
      ),
    )
    return
  }
  const error = new InvalidRequestError(
    `The ${event} listener returned a Promise: listeners run synchronously inside the flush or commit, which does not wait for them. Do the async work before flushing, or start it from an afterCommit listener`,
  )
  result.catch((reason: unknown) => {
    error.cause = reason
  })
  throw error
}

/** A primary key for listeners: the value, or the KeyRef of a row the flush inserts. */
export function primaryKeyOf(object: object): number | Expression<number> {
  const state = stateOf(object)
  const [column] = state.mapper.primaryKey
  return keyOf(object, column as Column<unknown>) as number | Expression<number>
}

/**
 * After a flush, relationships as it sent them are what the database has: `sent`, when the flush took
 * them as it went out (./session.ts), else as they are now.
 */
export function snapshotCollections(state: InstanceState, sent?: Snapshot): void {
  for (const key of loadedOf(state))
    committedCollectionsOf(state).set(key, [...(sent?.related.get(key) ?? relatedOf(state, key))])
}

/** A value the application set on an object while its flush was out: newer than what it sent. */
export type LateChange = readonly [state: InstanceState, key: string, value: unknown]

/**
 * What the application changed on the objects that no flush wrote: columns and loaded relationships.
 *
 * With `sent`, the changes since a flush took them as it went out (a Promise.all, a
 * `waitUntil(session.commit())` while the handler goes on), which the flush's answer (its RETURNING
 * rows) or its failure (objects put back) must not undo; objects whose committed state changed
 * meanwhile were reloaded (a query with populateExisting): their new values are the database's.
 * Without, what differs from what the database has: right after a commit, the changes made while it
 * was out, which a read landing then (`commit({ read })`) must not overwrite. Kept, either is written
 * by the next flush.
 */
export function lateChanges(
  states: Iterable<InstanceState>,
  sent?: ReadonlyMap<InstanceState, Snapshot>,
): LateChange[] {
  const late: LateChange[] = []
  for (const state of states) {
    const snapshot = sent?.get(state)
    if (sent && state.committed !== snapshot?.committed) continue
    const before = snapshot ? snapshot.values : state.committed
    for (const key of state.mapper.columnKeys) {
      if (!sameValue(state.values[key], before?.[key])) late.push([state, key, state.values[key]])
    }
    for (const key of loadedOf(state)) {
      const members = snapshot?.related.get(key)
      const changed = snapshot
        ? members !== undefined && !sameMembers(members, relatedOf(state, key))
        : relationshipChanged(state, key)
      const value = state.values[key]
      if (changed) late.push([state, key, Array.isArray(value) ? [...value] : value])
    }
  }
  return late
}

/** Sets late changes again, over what a flush's answer or failure put on their objects. */
export function keepLateChanges(late: readonly LateChange[]): void {
  for (const [state, key, value] of late) {
    const list = state.values[key]
    // A collection keeps its list (the application holds it), its members as the application left them.
    if (Array.isArray(value) && Array.isArray(list))
      Array.prototype.splice.call(list, 0, list.length, ...value)
    else state.values[key] = value
  }
}

/** Whether a loaded relationship differs from what the database has (unknown counts as changed). */
export function relationshipsChanged(state: InstanceState): boolean {
  // `loaded` is made on first use: a model without relationships has none, and every autoflush asks.
  if (state.mapper.relationshipSpecs.size === 0) return false
  for (const key of loadedOf(state)) if (relationshipChanged(state, key)) return true
  return false
}

/** Forgets every loaded relationship of an object (`refresh()` loads them again). */
export function unloadRelationships(state: InstanceState): void {
  for (const key of [...loadedOf(state)]) unload(state, key)
}

/** Forgets a loaded relationship's value: reading it raises NotLoadedError until it is loaded again. */
export function unload(state: InstanceState, key: string): void {
  delete state.values[key]
  committedCollectionsOf(state).delete(key)
  loadedOf(state).delete(key)
}

/**
 * Drops an object's unflushed changes (of the attributes named in `only`, else all), as SQLAlchemy's
 * rollback and refresh do by expiring it: columns go back to what the database has, and changed
 * relationships are unloaded.
 */
export function discardUnflushed(state: InstanceState, only?: readonly string[]): void {
  const named = (key: string) => !only || only.includes(key)
  const committed = state.committed ?? {}
  for (const key of unflushedColumns(state).filter(named)) {
    if (key in committed) state.values[key] = committed[key]
    else delete state.values[key]
  }
  for (const key of [...loadedOf(state)].filter(named))
    if (relationshipChanged(state, key)) unload(state, key)
}

/**
 * The columns whose values may differ from the database's. One whose value cannot be compared (a JSON
 * document holding an object whose toJSON throws, or a bigint) makes every set column count: dropping
 * changes must not fail on the very value it drops.
 */
function unflushedColumns(state: InstanceState): string[] {
  try {
    return state.modifiedColumns()
  } catch {
    return state.mapper.columnKeys.filter((key) => key in state.values)
  }
}

/** A failed version or row-count check becomes StaleDataError; anything else stays as it is. */
export function staleOrSame(error: unknown): unknown {
  if (!(error instanceof EdgeAlchemyError)) return error
  // PostgreSQL's check fails with the marker in its message; SQLite's is a statement of its own, marked
  // in a comment. PostgreSQL's UPDATE carries the marker in its text too: any other error of it (a
  // duplicate key) is not stale.
  const sql = (error as { sql?: string }).sql ?? ""
  // The SQLite flush numbers the rows of a table declared sqliteAutoincrement past sqlite_sequence's
  // number (./flush/sqlite.ts), which a database holds once one of its tables has AUTOINCREMENT.
  if (error instanceof ProgrammingError && error.message.includes("no such table: sqlite_sequence")) {
    return new ProgrammingError(
      `${error.message}: a model declares sqliteAutoincrement, and its table in the database was made without ` +
        "AUTOINCREMENT. Nothing was written: apply the revision that gives it (migrate check shows it missing)",
      { sql, params: error.params, cause: error },
    )
  }
  if (!error.message.includes(STALE_MARKER) && !sql.includes(`/* ${STALE_MARKER}`)) return error
  return new StaleDataError(
    "A row changed or vanished since it was read (its version, key or a column a reference asserts differs); nothing was written: reload it and retry",
    { cause: error },
  )
}
