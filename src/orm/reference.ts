// References: persistent objects made from values the application knows, without loading their row, as
// SQLAlchemy's `merge(obj, load=False)` (or JPA's `getReference`). A reference knows only the columns it
// was given; the flush writes what was set on it and asserts every column it was given (the UPDATE's or
// DELETE's WHERE names them all), so a row that no longer has them fails the flush as stale. Reading a
// column it does not know raises NotLoadedError (instance-accessors.ts): there is no implicit I/O.
import { InvalidRequestError, StaleDataError } from "../errors.ts"
import type { Mapper } from "./mapper.ts"
import { InstanceState, STATE, sameValue } from "./state.ts"

/**
 * The object of a row known by `known` (its primary key and any other columns): `existing`, the session's
 * object for that row, when given (the values must agree with it), else a new persistent one.
 */
export function referenceTo(
  mapper: Mapper,
  known: Record<string, unknown>,
  existing?: object,
): InstanceState {
  for (const key of Object.keys(known)) mapper.table.requireColumn(key)
  const name = mapper.cls.name
  for (const column of mapper.primaryKey) {
    if (known[column.key] === undefined || known[column.key] === null) {
      throw new InvalidRequestError(`session.reference(${name}, ...) needs its primary key ${column.key}`)
    }
  }
  if (existing) {
    const state = (existing as { [STATE]: InstanceState })[STATE]
    const committed = state.committed as Record<string, unknown>
    for (const [key, value] of Object.entries(known)) {
      if (!(key in committed)) {
        committed[key] = value
        if (!(key in state.values)) state.values[key] = value
      } else if (!sameValue(committed[key], value)) {
        throw new StaleDataError(`This session holds ${name} ${state.identity} with ${key} ${committed[key]}`)
      }
    }
    return state
  }
  const object = Object.create(mapper.cls.prototype as object) as object
  const state = new InstanceState(object, mapper)
  Object.defineProperty(object, STATE, { value: state, enumerable: false })
  state.committed = { ...known }
  Object.assign(state.values, known)
  return state
}

/** Whether the object is a reference whose row was never read whole: it knows only some columns. */
export function isPartial(state: InstanceState): boolean {
  const committed = state.committed
  return committed !== undefined && state.mapper.columnKeys.some((key) => !(key in committed))
}
