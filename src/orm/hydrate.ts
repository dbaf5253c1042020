// Rows to objects through the identity map: a row whose object the session already has yields that
// object, untouched (its unflushed changes win), unless the query asks to populate existing objects.
import type { IdentityMap } from "./identity-map.ts"
import type { Mapper } from "./mapper.ts"
import { InstanceState, type SessionLike, STATE } from "./state.ts"

export function hydrate(
  mapper: Mapper,
  columns: readonly unknown[],
  identityMap: IdentityMap,
  session: SessionLike | undefined,
  populateExisting = false,
): object | null {
  const identity = mapper.primaryKey.map((col) => columns[mapper.table.columns.indexOf(col)])
  // An outer join that matched no row (a joined load of a missing parent) gives a null key: no object.
  if (identity.some((value) => value === null)) return null
  const existing = identityMap.get(mapper, identity)
  if (existing && !populateExisting) return existing
  const object = existing ?? Object.create(mapper.cls.prototype as object)
  const state: InstanceState = existing
    ? (object as { [STATE]: InstanceState })[STATE]
    : new InstanceState(object, mapper)
  if (!existing) Object.defineProperty(object, STATE, { value: state, enumerable: false })
  const committed: Record<string, unknown> = {}
  mapper.table.columns.forEach((column, i) => {
    committed[column.key] = columns[i]
  })
  Object.assign(state.values, committed)
  state.committed = committed
  state.session = session
  identityMap.set(mapper, identity, object)
  return object
}
