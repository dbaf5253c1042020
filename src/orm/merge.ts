// `session.merge(object)`, as SQLAlchemy's: a detached or foreign object's state copied onto the
// session's object for the same row (loaded if the session does not hold it), or onto a new pending one
// when no row has its key. Loaded relationships are merged too (the "merge" cascade), each related
// object once however often the graph reaches it.
import { StaleDataError } from "../errors.ts"
import { type ModelConstructor, relationshipOf } from "./mapper.ts"
import { blankInstance, type InstanceState, loadedOf, sameValue, stateOf } from "./state.ts"

/** What merging needs of the session. */
export interface MergingSession {
  get(model: ModelConstructor, key: readonly unknown[]): Promise<object | null>
  /** Loads relationships of an object the session holds (`refresh(object, keys)`). */
  refresh(object: object, keys: readonly string[]): Promise<void>
  add(object: object): void
  /** Whether the session holds this object already (then it is its own merge). */
  holds(object: object): boolean
  /**
   * Told before the merge changes these objects: what it changes must be put back if it is refused.
   * `loaded`: the collections of the first that the merge loaded to replace them, unloaded again then.
   */
  changing(objects: Iterable<object>, loaded?: readonly string[]): void
}

export async function mergeInto<T extends object>(
  session: MergingSession,
  object: T,
  merged = new Map<object, object>(),
): Promise<T> {
  if (session.holds(object)) return object
  const done = merged.get(object)
  if (done) return done as T
  const source = stateOf(object)
  const mapper = source.mapper
  const identity = source.identity
  const target = identity ? await session.get(mapper.cls, identity) : null
  const state = target ? stateOf(target) : blankInstance(mapper)
  const version = mapper.versionColumn?.key
  const given = version === undefined ? undefined : source.values[version]
  if (target && version && given !== undefined && !sameValue(given, state.values[version])) {
    // Its copy is older (or newer) than the row: writing it would undo another session's change.
    throw new StaleDataError(
      `${mapper.name} ${identity?.join(", ")} was merged with version ${String(given)}, but the database has ` +
        `${String(state.values[version])}; leave the version unset to merge onto the row as it is`,
    )
  }
  // The source's collections replace the target's: the members the database has must be known, so
  // that those the source no longer holds are unlinked or orphaned, as SQLAlchemy loads them first.
  // (A many-to-many collection assigned unloaded replaces the database's links without them.)
  const unloaded = !target
    ? []
    : [...loadedOf(source)].filter((key) => {
        const property = relationshipOf(mapper, key)
        return property.direction === "one-to-many" && !property.secondary && !loadedOf(state).has(key)
      })
  if (target && unloaded.length > 0) await session.refresh(target, unloaded)
  session.changing([state.object], unloaded)
  merged.set(object, state.object)
  // Through the accessors, as SQLAlchemy's merge sets attributes: validators run.
  const copy = state.object as Record<string, unknown>
  for (const key of mapper.columnKeys) {
    if (source.values[key] !== undefined) copy[key] = source.values[key]
  }
  if (!target) session.add(state.object)
  for (const key of loadedOf(source)) {
    const value = source.values[key]
    const related = Array.isArray(value)
      ? await mergeAll(session, value, merged)
      : value && (await mergeInto(session, value as object, merged))
    session.changing(reach(state, key, related))
    // Through the accessor: backrefs and change tracking see the merged members.
    copy[key] = related ?? null
  }
  return state.object as T
}

/**
 * The objects that setting relationship `key` of `state` to `next` can change: the object, those it
 * holds there and will hold (their backrefs change), and the parent a new member holds it back from (a
 * backref moves the member off that parent's collection).
 */
function reach(state: InstanceState, key: string, next: unknown): object[] {
  const back = relationshipOf(state.mapper, key).backPopulates
  const reached = [state.object, ...membersOf(loadedOf(state).has(key) ? state.values[key] : null)]
  for (const member of membersOf(next)) {
    reached.push(member)
    const other = stateOf(member)
    const parent = back && loadedOf(other).has(back) ? other.values[back] : null
    if (parent && !Array.isArray(parent)) reached.push(parent as object)
  }
  return reached
}

function membersOf(value: unknown): readonly object[] {
  return value == null ? [] : Array.isArray(value) ? value : [value as object]
}

async function mergeAll(session: MergingSession, objects: readonly object[], merged: Map<object, object>) {
  const all: object[] = []
  for (const object of objects) all.push(await mergeInto(session, object, merged))
  return all
}
