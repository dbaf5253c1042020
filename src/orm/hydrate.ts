// Rows to objects through the identity map: a row whose object the session already has yields that
// object, untouched (its unflushed changes win), unless the query asks to populate existing objects.

import { cached } from "../util/cached.ts"
import { type IdentityMap, identityKey } from "./identity-map.ts"
import type { Mapper } from "./mapper.ts"
import { InstanceState, type SessionLike, STATE, StateSlot } from "./state.ts"

/** Where each mapper's primary-key values sit among its columns, found once per mapper. */
const keyPositions = new WeakMap<Mapper, readonly number[]>()

/** Where rows of one execution become objects. */
export interface Hydration {
  readonly identity: IdentityMap
  /** The session the objects belong to; none for `readOnly` results. */
  readonly session: SessionLike | undefined
  readonly populateExisting: boolean
}

/**
 * Replaces, in each row, the entity's decoded column values at `item` by its object (null for the
 * missing row of an outer join). Objects the identity map has are kept as they are, unless
 * `populateExisting` or expired; the others are made here.
 */
export function hydrateItem(
  mapper: Mapper,
  rows: readonly unknown[][],
  item: number,
  { identity, session, populateExisting }: Hydration,
): void {
  const positions = cached(keyPositions, mapper, () =>
    mapper.primaryKey.map((column) => mapper.table.columns.indexOf(column)),
  )
  const objects = identity.objectsOf(mapper)
  const keys = mapper.columnKeys
  for (const row of rows) {
    const columns = row[item] as readonly unknown[]
    const key = identityKey(columns, positions)
    // An outer join that matched no row (a joined load of a missing parent) gives a null key: no object.
    if (key === undefined) {
      row[item] = null
      continue
    }
    const existing = objects.get(key)
    let state = existing && (existing as { [STATE]: InstanceState })[STATE]
    if (state && !populateExisting && !state.expired) {
      row[item] = existing
      continue
    }
    // The row by column key, built key by key: V8 extends such an object fast, so it becomes the
    // values (relationships are added later; a copy would turn slow when they are). The committed
    // snapshot is a copy of it: one allocation, where building it again was a store per key.
    const loaded: Record<string, unknown> = {}
    for (let i = 0; i < keys.length; i++) loaded[keys[i] as string] = columns[i]
    const committed = { ...loaded }
    if (state) {
      // Columns the application set since the object expired keep their values (and stay changed),
      // as SQLAlchemy loads only an expired object's expired attributes; the others take the row's.
      for (const k of populateExisting ? [] : state.modifiedColumns()) loaded[k] = state.values[k]
      Object.assign(state.values, loaded)
      state.expired = false
    } else {
      const object = Object.create(mapper.cls.prototype as object) as object
      state = new InstanceState(object, mapper, loaded)
      new StateSlot(object, state)
      objects.set(key, object)
    }
    state.committed = committed
    state.session = session
    row[item] = state.object
  }
}
