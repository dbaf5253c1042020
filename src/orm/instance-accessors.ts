// Accessors on a model's prototype for its columns: they read and write the instance state (running
// validators on write); reading a column a reference (session.reference) does not know raises
// NotLoadedError naming the fix: there is no implicit I/O. Relationships have accessors of their own
// (./relationship-accessors.ts).
import { NotLoadedError } from "../errors.ts"
import type { Mapper } from "./mapper.ts"
import { type InstanceState, STATE, StateSlot } from "./state.ts"

export function defineColumnAccessors(prototype: object, mapper: Mapper): void {
  // Loaded objects carry their state in a private slot (./state.ts: StateSlot); objects made by `new`
  // have it as an own property, which this getter leaves alone.
  Object.defineProperty(prototype, STATE, {
    get(this: object) {
      return StateSlot.of(this)
    },
  })
  for (const column of mapper.table.columns) {
    const key = column.key
    const options = column.spec?.options
    // A new object's nullable column with nothing to fill it in is NULL, as the INSERT will write it
    // (and as its type says); one the flush fills in (a default, a generated key) is undefined until then.
    const unset =
      options?.nullable && (options.default ?? options.serverDefault) === undefined ? null : undefined
    Object.defineProperty(prototype, key, {
      enumerable: true,
      get(this: { [STATE]: InstanceState }) {
        const state = this[STATE]
        const value = state.values[key]
        if (value === undefined) {
          if (!state.committed) return unset
          if (!(key in state.committed || key in state.values)) columnNotLoaded(state, key)
        }
        return value
      },
      set(this: { [STATE]: InstanceState }, value: unknown) {
        this[STATE].values[key] = validated(mapper, key, value, this)
      },
    })
  }
}

/** The value to store: what the attribute's validators (`validates(...)`) make of it. */
export function validated(mapper: Mapper, key: string, value: unknown, object: object): unknown {
  let result = value
  for (const validate of mapper.validators.get(key) ?? []) result = validate(key, result, object)
  return result
}

/** A reference (session.reference) knows only the columns it was given. */
function columnNotLoaded(state: InstanceState, key: string): never {
  throw new NotLoadedError(
    `${state.mapper.cls.name}.${key} is not loaded (a reference knowing ${Object.keys(state.committed ?? {})}): ` +
      "pass it to session.reference, or load the row (refresh, commit({ read }))",
  )
}
