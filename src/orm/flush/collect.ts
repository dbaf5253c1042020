// Which objects a flush writes: the session's new objects and everything they reach through
// `save-update` cascades (added to the session on the way), the persistent objects it knows, and the
// deleted ones with their `delete` cascades. Also the order tables are written in.
import type { Table } from "../../sql/schema/table.ts"
import type { IdentityMap } from "../identity-map.ts"
import { type InstanceState, type SessionLike, stateOf } from "../state.ts"
import type { FlushInput } from "./plan.ts"

export interface Changes extends FlushInput {
  readonly all: readonly InstanceState[]
  /** Tables in foreign-key order: referenced ones first. */
  readonly order: readonly Table[]
}

export function collectChanges(
  session: SessionLike,
  pending: Set<InstanceState>,
  identityMap: IdentityMap,
  deleted: Set<InstanceState>,
): Changes {
  const persistent = [...identityMap.values()].map(stateOf).filter((state) => !state.deleted)
  const queue = [...pending, ...persistent]
  for (let i = 0; i < queue.length; i++) {
    const state = queue[i] as InstanceState
    for (const related of relatedThrough(state, "save-update")) {
      const other = stateOf(related)
      if (other.session === undefined && other.committed === undefined) {
        other.session = session
        pending.add(other)
        queue.push(other)
      }
    }
  }
  for (const state of [...deleted]) {
    for (const related of relatedThrough(state, "delete")) {
      const other = stateOf(related)
      if (other.committed !== undefined && other.session === session && !other.deleted) {
        other.deleted = true
        deleted.add(other)
      } else if (other.committed === undefined) {
        pending.delete(other)
        other.session = undefined
      }
    }
  }
  const all = [...pending, ...persistent.filter((s) => !s.deleted), ...deleted]
  const metadata = all[0]?.mapper.registry.metadata
  const tables = metadata ? metadata.sortedTables() : { sorted: [], cyclic: [] }
  return {
    pending: [...pending],
    persistent: persistent.filter((s) => !s.deleted),
    deleted: [...deleted],
    all,
    order: [...tables.sorted, ...tables.cyclic],
  }
}

/** Objects reachable in one step through loaded relationships that cascade `cascade`. */
function relatedThrough(state: InstanceState, cascade: "save-update" | "delete"): object[] {
  const found: object[] = []
  for (const key of state.loaded) {
    const property = state.mapper.relationship(key)
    if (!property.cascade.has(cascade)) continue
    const value = state.values[key]
    if (Array.isArray(value)) found.push(...(value as object[]))
    else if (value) found.push(value as object)
  }
  return found
}
