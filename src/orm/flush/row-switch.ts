// A row switch, as SQLAlchemy's unit of work has it: a new object given the key of a row the same
// flush deletes takes that row over. One UPDATE writes it where the DELETE and the INSERT would have
// gone (an INSERT before the DELETE fails on the key), and the rows that point at the key stay valid.
import { InvalidRequestError } from "../../errors.ts"
import { Expression } from "../../sql/expression.ts"
import { cached } from "../../util/cached.ts"
import { identityKey } from "../identity-map.ts"
import type { Mapper } from "../mapper.ts"
import { type InstanceState, sameValue } from "../state.ts"
import { keyOf, type Step, type WriteStep } from "./plan.ts"

/** The new objects that take over the row of a deleted object with the same key, and that object. */
export function rowSwitches(
  pending: readonly InstanceState[],
  deleted: readonly InstanceState[],
): Map<InstanceState, InstanceState> {
  const switches = new Map<InstanceState, InstanceState>()
  if (pending.length === 0 || deleted.length === 0) return switches
  const byKey = new Map<Mapper, Map<unknown, InstanceState>>()
  for (const state of deleted) {
    const key = identityKey(state.mapper.primaryKey.map((column) => state.committed?.[column.key]))
    if (key !== undefined) cached(byKey, state.mapper, () => new Map()).set(key, state)
  }
  const taken = new Set<InstanceState>()
  for (const state of pending) {
    // Rows added with addUnique are found by their unique values; keys the database gives are new.
    const values = state.mapper.primaryKey.map((column) => state.values[column.key])
    if (state.uniqueBy || values.some((value) => value == null || value instanceof Expression)) continue
    const old = byKey.get(state.mapper)?.get(identityKey(values))
    if (!old || taken.has(old)) continue
    taken.add(old)
    switches.set(state, old)
  }
  return switches
}

/**
 * A step that clears the rows pointing at a row a new object takes over (unlinks or deletes them, as
 * the old object's deletion does) spares the rows this flush points at it: the new object's. Rows it
 * inserts are found in `written`, the objects it holds in `held`.
 */
export function sparing(
  step: WriteStep,
  written: readonly Step[],
  held: readonly InstanceState[],
): WriteStep {
  const { table } = step
  const identifying = table.primaryKey.length > 0 ? table.primaryKey : table.columns
  const [column, ...more] = identifying.filter((candidate) => !step.where.has(candidate.key))
  const pointsHere = (value: (key: string) => unknown) =>
    [...step.where].every(([key, at]) => sameValue(value(key), at))
  const kept: unknown[] = []
  for (const other of written) {
    if (other.kind !== "insert" || other.table !== table || !column) continue
    for (const row of other.rows) {
      if (!pointsHere((key) => row.values.get(key))) continue
      kept.push(row.state ? keyOf(row.state.object, column) : row.values.get(column.key))
    }
  }
  for (const state of held) {
    if (state.mapper.table !== table || state.deleted || !column) continue
    if (pointsHere((key) => state.values[key])) kept.push(keyOf(state.object, column))
  }
  if (kept.length === 0) return step
  if (!column || more.length > 0) {
    throw new InvalidRequestError(
      `Rows of ${table.name} point at a row a new object takes over, by a key of several columns; flush the deletion first`,
    )
  }
  return { ...step, keep: { column: column.key, values: kept } }
}
