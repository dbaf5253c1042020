// References: persistent objects made from values the application knows, without loading their row, as
// SQLAlchemy's `merge(obj, load=False)` (or JPA's `getReference`). A reference knows only the columns it
// was given; the flush writes what was set on it and asserts every column it was given (the UPDATE's or
// DELETE's WHERE names them all), so a row that no longer has them fails the flush as stale. Reading a
// column it does not know raises NotLoadedError (instance-accessors.ts): there is no implicit I/O.
import { InvalidRequestError, StaleDataError } from "../errors.ts"
import type { Mapper } from "./mapper.ts"
import { blankInstance, type InstanceState, sameValue, stateOf } from "./state.ts"

/**
 * The object of a row known by `known` (its primary key and any other columns): `existing`, the session's
 * object for that row, when given (what it knows of the row must agree), else a new persistent one.
 */
export function referenceTo(
  mapper: Mapper,
  known: Record<string, unknown>,
  existing?: object,
): InstanceState {
  const name = mapper.cls.name
  for (const key of Object.keys(known)) mapper.table.requireColumn(key)
  if (mapper.primaryKey.some((column) => known[column.key] === undefined || known[column.key] === null)) {
    throw new InvalidRequestError(`session.reference(${name}, ...) needs its primary key`)
  }
  if (existing) {
    const state = stateOf(existing)
    const committed = state.committed ?? {}
    for (const [key, value] of Object.entries(known)) {
      if (key in committed && !sameValue(committed[key], value)) {
        throw new StaleDataError(`This session holds ${name} ${state.identity} with ${key} ${committed[key]}`)
      }
    }
    return state
  }
  const state = blankInstance(mapper)
  state.committed = { ...known }
  Object.assign(state.values, known)
  return state
}

/** Whether the object is a reference whose row was never read whole: it knows only some columns. */
export function isPartial(state: InstanceState): boolean {
  const committed = state.committed
  return committed !== undefined && state.mapper.columnKeys.some((key) => !(key in committed))
}
