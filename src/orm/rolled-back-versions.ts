// The version a rolled-back transaction left on an object. A versioned object first read inside a
// transaction that bumped its version (a bulk or text() UPDATE) and then rolled back holds the bumped
// version, which the database no longer has: its next UPDATE or DELETE, checked against it, failed with
// StaleDataError although no one else had changed the row. SQLAlchemy's rollback expires the object and
// its flush loads the expired version before the UPDATE; ours keeps the values (no implicit I/O), so the
// flush reads the versions of such objects first, in one request, as SQLAlchemy's does.
import type { Connection } from "../engine/connection.ts"
import { and } from "../sql/expression.ts"
import { select } from "../sql/select.ts"
import type { InstanceState } from "./state.ts"

/** The committed row each versioned object held when a transaction that did not commit expired it. */
const rolledBack = new WeakMap<InstanceState, Record<string, unknown>>()

/**
 * Notes a versioned object the end of a transaction without commit expires, in `noted` too: the
 * session's index of them, so that a flush looks at these, not at every object the session holds.
 */
export function noteRolledBack(state: InstanceState, noted: Set<InstanceState>): void {
  if (!state.mapper.versionColumn || !state.committed) return
  rolledBack.set(state, state.committed)
  noted.add(state)
}

/**
 * Reads again the version of each of `noted` that still holds the row a rollback expired (no query
 * reloaded it since), before a flush checks its UPDATE or DELETE against it. A row gone keeps the old
 * version: the flush then reports it, as before. Each leaves `noted` once it no longer needs reading.
 */
export async function reloadRolledBackVersions(
  connection: Connection,
  noted: Set<InstanceState>,
): Promise<void> {
  if (noted.size === 0) return
  const stale: InstanceState[] = []
  for (const state of noted) {
    if (state.expired && rolledBack.get(state) === state.committed) stale.push(state)
    else noted.delete(state)
  }
  if (stale.length === 0) return
  const statements = stale.map((state) => {
    const { mapper } = state
    const committed = state.committed as Record<string, unknown>
    const version = mapper.versionColumn as NonNullable<typeof mapper.versionColumn>
    return select(version).where(
      and(...mapper.primaryKey.map((column) => column.eq(committed[column.key] as NonNullable<unknown>))),
    )
  })
  const results = await connection.batch(statements)
  for (const [i, state] of stale.entries()) {
    rolledBack.delete(state)
    noted.delete(state)
    const row = results[i]?.rows[0] as readonly unknown[] | undefined
    const version = state.mapper.versionColumn
    if (!row || !version) continue
    const committed = state.committed as Record<string, unknown>
    // The value read is the object's too, unless the application set the version itself.
    if (state.values[version.key] === committed[version.key]) state.values[version.key] = row[0]
    committed[version.key] = row[0]
  }
}
