// Per-object bookkeeping, as SQLAlchemy's InstanceState: where the object is in its life (transient,
// pending, persistent, deleted, detached), its attribute values, the values last known to be in the
// database (to UPDATE only what changed) and which relationships are loaded.
import { InvalidRequestError } from "../errors.ts"
import type { Mapper } from "./mapper.ts"

export type ObjectState = "transient" | "pending" | "persistent" | "deleted" | "detached"

export const STATE: unique symbol = Symbol.for("edgealchemy.state")

/** The session side of an object's state; the session implements it (state.ts knows no session). */
export interface SessionLike {
  readonly id: number
  /** Detaches an object (AsyncSession's: a pending orphan taken out of a collection). */
  expunge?(object: object): void
  /** Attaches an object (AsyncSession's: a detached one linked to one of its objects). */
  add?(object: object): void
  /** The objects of one model it holds (AsyncSession's), to find the loaded sides of a link. */
  heldOf?(mapper: Mapper): Iterable<object>
}

export class InstanceState {
  /** Column values as last flushed or loaded; undefined until the object has a database row. */
  declare committed: Record<string, unknown> | undefined
  declare session: SessionLike | undefined
  // The three flags below are declared only, as deletedIn: unset (undefined) reads as false, and most
  // objects, a query's rows, never have them set.
  /** Marked for deletion in its session (its row is deleted by the next flush), or deleted by a flush. */
  declare deleted: boolean | undefined
  /** A flush or bulk DELETE deleted its row: it reads "deleted" until its transaction ends, then detached. */
  declare gone: boolean | undefined
  /**
   * The session whose open transaction deleted its row, SQLAlchemy's "deleted" state: out of the
   * identity map, but that session's until the transaction ends (a commit detaches it, a rollback makes
   * it persistent again). Declared only: set on the few objects it concerns.
   */
  declare deletedIn: SessionLike | undefined
  /**
   * Committed with `expireOnCommit`: the next row a query or `get` reads for it replaces its columns
   * (but those the application changed since), as SQLAlchemy reloads expired attributes.
   */
  declare expired: boolean | undefined
  /** Added with `session.addUnique`: the columns that find its row when one already exists. */
  declare uniqueBy: readonly string[] | undefined
  /**
   * The session the application took this object out of while it was pending (`expunge()`, or
   * `delete()`): that session's flush does not cascade it back in, as SQLAlchemy's does not, until it
   * is added again or linked to an object anew. Declared only: set on the few objects it concerns.
   */
  declare expungedFrom: SessionLike | undefined
  /** Made on first use by loadedOf: most loaded objects never need it, and a query's rows are many objects. */
  declare loadedKeys: Set<string> | undefined
  /** Made on first use by committedCollectionsOf, as loadedKeys. */
  declare committedMembers: Map<string, readonly object[]> | undefined

  constructor(
    readonly object: object,
    readonly mapper: Mapper,
    /** Current attribute values: columns, and relationships once loaded or set. */
    readonly values: Record<string, unknown> = {},
  ) {}

  /** The identity: primary-key values, or undefined while the database has not given them. */
  get identity(): readonly unknown[] | undefined {
    const values = this.mapper.primaryKey.map((col) => (this.committed ?? this.values)[col.key])
    return values.some((v) => v === undefined || v === null) ? undefined : values
  }

  /** Column keys whose value differs from the committed snapshot. */
  modifiedColumns(): string[] {
    // Without a snapshot (a new object), every column set is modified.
    return this.mapper.columnKeys.filter(
      (key) => key in this.values && !(this.committed && sameValue(this.values[key], this.committed[key])),
    )
  }
}

// Functions rather than members of InstanceState, which every read worker carries: only relationships
// and the write path use them.

/** Relationships whose value came from the database or the user (not "unloaded"). */
export function loadedOf(state: InstanceState): Set<string> {
  state.loadedKeys ??= new Set()
  return state.loadedKeys
}

/**
 * Collection members as the database has them, to find links added and removed: arrays that are
 * never changed (a new one replaces them), so a loaded list is stored as it is.
 */
export function committedCollectionsOf(state: InstanceState): Map<string, readonly object[]> {
  state.committedMembers ??= new Map()
  return state.committedMembers
}

/** A relationship's objects now: the collection, or the one related object (none for null). */
export function relatedOf(state: InstanceState, key: string): readonly object[] {
  const value = state.values[key]
  return Array.isArray(value) ? (value as object[]) : value ? [value as object] : []
}

/**
 * Whether a loaded relationship differs from what the database has (unknown counts as changed). A
 * function, not a method: a worker that only reads never asks, and its bundle drops it.
 */
export function relationshipChanged(state: InstanceState, key: string): boolean {
  const before = committedCollectionsOf(state).get(key)
  return !before || !sameMembers(before, relatedOf(state, key))
}

/**
 * Refuses an object that cannot be attached to `session`, as SQLAlchemy's `_before_attach` and
 * `_update_impl` raise: one another session holds, or one whose row a flush deleted (detached since).
 * Skipped, the application would believe it saved. `reached` says how the caller came to it. A
 * function, not a method: a worker that only reads never asks, and its bundle drops it.
 */
export function refuseForeign(state: InstanceState, session: SessionLike, reached = ""): void {
  const other = state.session
  if (other ? other === session : !state.gone) return
  const row = `${state.mapper.name} (${state.identity?.join(", ") ?? "new"})${reached}`
  throw new InvalidRequestError(
    other
      ? `${row} belongs to another session: it is already attached to session ${other.id} (this is ${session.id}). Expunge it there first, or merge() it into this one`
      : `${row} has been deleted: its row is gone${state.deletedIn ? " (a rollback() of the transaction that deleted it brings it back)" : ""}. merge() it to insert its row again, or add a new object`,
  )
}

/** Whether two lists of related objects hold the same objects, in any order. */
export function sameMembers(before: readonly object[], now: readonly object[]): boolean {
  if (before.length !== now.length) return false
  // Most often the same members in the same order; else compared as sets.
  if (now.every((item, i) => item === before[i])) return true
  const known = new Set(before)
  return now.every((item) => known.has(item))
}

/**
 * Gives a loaded object its state without `Object.defineProperty`, which costs a tenth of a microsecond
 * per object (a third of hydrating a row): a class whose base constructor returns the object it is
 * given adds its private field to that object, as fast as any property store, and invisible as a
 * non-enumerable one: `new StateSlot(object, state)`. Model prototypes read it back as
 * `object[STATE]` (./instance-accessors.ts).
 */
export class StateSlot extends class {
  constructor(object: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the point: the subclass's field lands on `object`
    return object
  }
} {
  readonly #state: InstanceState

  constructor(object: object, state: InstanceState) {
    super(object)
    this.#state = state
  }

  /** The state a slot gave `object`, if any: what a model prototype's `[STATE]` getter returns. */
  static of(object: object): InstanceState | undefined {
    return #state in object ? object.#state : undefined
  }
}

/** A new object of the mapper's class, made without running its constructor, and its state. */
export function blankInstance(mapper: Mapper): InstanceState {
  const object = Object.create(mapper.cls.prototype as object) as object
  const state = new InstanceState(object, mapper)
  new StateSlot(object, state)
  return state
}

export function stateOf(object: object): InstanceState {
  const state = (object as { [STATE]?: InstanceState })[STATE]
  if (!state) throw new InvalidRequestError(`${describe(object)} is not an instance of a mapped model`)
  return state
}

export function hasState(object: unknown): object is { [STATE]: InstanceState } {
  return (
    typeof object === "object" && object !== null && (object as { [STATE]?: unknown })[STATE] !== undefined
  )
}

/**
 * `inspect(user).state` is "transient", "pending", "persistent", "deleted" (its row deleted by a flush
 * of the session's open transaction) or "detached".
 */
export function inspect(object: object): {
  readonly state: ObjectState
  readonly identity: readonly unknown[] | undefined
  readonly modified: readonly string[]
} {
  const state = stateOf(object)
  return { state: lifeStateOf(state), identity: state.identity, modified: state.modifiedColumns() }
}

/**
 * As SQLAlchemy's: an object marked for deletion is persistent until a flush deletes its row (in the
 * session's open transaction: "deleted" until it ends). A function, not a method: only inspect() asks,
 * and a worker that does not import it drops it.
 */
function lifeStateOf(state: InstanceState): ObjectState {
  if (state.session) return state.committed ? "persistent" : "pending"
  return state.committed ? (state.deletedIn ? "deleted" : "detached") : "transient"
}

/** Value equality for dirty checks: Dates by time, bytes by content, JSON documents by structure. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (a instanceof Uint8Array && b instanceof Uint8Array)
    return a.length === b.length && a.every((x, i) => x === b[i])
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b)
  }
  return false
}

function describe(object: object): string {
  return object?.constructor?.name ? `This ${object.constructor.name}` : "This value"
}
