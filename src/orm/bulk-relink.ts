// After a bulk UPDATE (./bulk-sync.ts) changed columns of held objects, the relationships the session
// holds loaded over those columns must say what the rows now say. SQLAlchemy's synchronize_session
// refreshes column attributes only: a child moved to another parent by `update(Child).values({ parentId })`
// kept its many-to-one to the old parent, and stayed in the old parent's loaded collection as committed,
// so deleting that parent with a delete cascade deleted the moved row, and taking the child out of the
// old collection set its key to NULL. Here each such relationship is set as the database has it (its
// current value and its committed members alike: nothing for the flush to write), or, where memory cannot
// know it (a new parent the session does not hold), unloaded: reading it says NotLoadedError and
// `refresh()` loads it. A change the application made and has not flushed (autoflush off) is kept.
//
// The database's own ON UPDATE CASCADE / SET NULL / SET DEFAULT of foreign keys that reference a
// changed column (a parent's primary key updated) changes the referencing rows too: held ones get the
// same values first.
import { Expression } from "../sql/expression.ts"
import type { ForeignKeyConstraint } from "../sql/schema/constraints.ts"
import type { Table } from "../sql/schema/table.ts"
import { RelationshipList } from "./collection.ts"
import { valueKey } from "./identity-map.ts"
import { type Mapper, type RelationshipProperty, relationshipOf, relationshipsOf } from "./mapper.ts"
import { committedCollectionsOf, type InstanceState, loadedOf, sameValue } from "./state.ts"

/** A held object a bulk UPDATE changed, and its committed row from before. */
export type Moved = readonly [state: InstanceState, before: Readonly<Record<string, unknown>> | undefined]

/** What relinking needs of the session. */
export interface RelinkSession {
  /** Every object the session holds. */
  held(): readonly InstanceState[]
  /** The session's object for a row, by its mapper and primary key. */
  objectAt(mapper: Mapper, identity: readonly unknown[]): InstanceState | undefined
  /** Told of each object before the statement's effect is applied to it (a rollback may undo it). */
  touch(state: InstanceState): void
  /** Detaches an object whose row is gone (a bulk DELETE's, or one its ON DELETE CASCADE took). */
  forget(state: InstanceState): void
}

/**
 * The database has the value now: it is both current and committed, so the object stays clean. The
 * committed snapshot is replaced, not changed: a saved copy of it must keep what it was.
 */
export function setCommitted(state: InstanceState, key: string, value: unknown): void {
  state.values[key] = value
  if (state.committed) state.committed = { ...state.committed, [key]: value }
}

/**
 * Applies the database's referential actions to the held objects whose foreign keys referenced a
 * changed column (ON UPDATE CASCADE, SET NULL, SET DEFAULT) or a deleted row (ON DELETE CASCADE lets
 * them go as their rows are; SET NULL, SET DEFAULT), as it did to their rows; returns every object
 * changed, `moved` first. SET DEFAULT gives the column's server default (NULL without one), as the
 * model declares it; one that is SQL (`func.now()`) memory does not know, and is left alone.
 * (RESTRICT / NO ACTION refuse the statement.)
 */
export function followReferences(
  moved: readonly Moved[],
  session: RelinkSession,
  deleted: readonly InstanceState[] = [],
): Moved[] {
  const all = [...moved]
  const gone = [...deleted]
  const byTable = groupByTable(session.held())
  // Once per referencing object and key: a chain of cascades ends.
  const done = new Map<InstanceState, Set<ForeignKeyConstraint>>()
  const follow = (state: InstanceState, before: Readonly<Record<string, unknown>>, changed?: Set<string>) => {
    const referenced = state.mapper.table
    for (const [table, holders] of byTable) {
      for (const fk of table.foreignKeys) {
        const action = changed ? fk.options.onUpdate : fk.options.onDelete
        if (
          fk.referencedTable !== referenced.name ||
          !action ||
          action === "RESTRICT" ||
          action === "NO ACTION"
        )
          continue
        const targets = fk.referencedColumns.map((name) => referenced.requireColumn(name).key)
        if (changed && !targets.some((key) => changed.has(key))) continue
        const columns = fk.columns.map((name) => table.requireColumn(name).key)
        const defaults = fk.columns.map(
          (name) => table.requireColumn(name).spec?.options.serverDefault ?? null,
        )
        // A default that is SQL, or a value of another kind than the key (text for a number): memory
        // cannot tell what the row holds, and the object is left as it was.
        const unknown = (value: unknown, k: number) =>
          value instanceof Expression ||
          (value !== null && typeof value !== typeof before[targets[k] as string])
        if (action === "SET DEFAULT" && defaults.some(unknown)) continue
        for (const holder of holders) {
          const row = holder.committed
          if (holder.gone || !row) continue
          if (!columns.every((key, k) => sameKey(row[key], before[targets[k] as string]))) continue
          const followed = done.get(holder) ?? new Set()
          if (followed.has(fk)) continue
          done.set(holder, followed.add(fk))
          session.touch(holder)
          if (!changed && action === "CASCADE") {
            session.forget(holder)
            gone.push(holder)
            continue
          }
          all.push([holder, row])
          columns.forEach((key, k) => {
            const value =
              action === "CASCADE"
                ? state.committed?.[targets[k] as string]
                : action === "SET DEFAULT"
                  ? defaults[k]
                  : null
            setCommitted(holder, key, value)
          })
        }
      }
    }
  }
  for (let i = 0, j = 0; i < all.length || j < gone.length; ) {
    if (j < gone.length) {
      const state = gone[j++] as InstanceState
      if (state.committed) follow(state, state.committed)
      continue
    }
    const [state, before] = all[i++] as Moved
    const changed = changedKeys(state, before)
    if (changed.size > 0 && before) follow(state, before, changed)
  }
  return all
}

/** Brings the loaded relationships over the changed columns in line with the rows (see the top). */
export function relinkMoved(moved: readonly Moved[], session: RelinkSession): void {
  const changes = new Map<InstanceState, Set<string>>()
  for (const [state, before] of moved) {
    const links = linkColumns(state.mapper)
    const changed = new Set([...changedKeys(state, before)].filter((key) => links.has(key)))
    if (changed.size === 0 || state.gone) continue
    const known = changes.get(state)
    changes.set(state, known ? new Set([...known, ...changed]) : changed)
  }
  if (changes.size === 0) return
  const movedOf = groupByTable(changes.keys())
  const held = session.held()
  const heldOf = groupByTable(held)
  // The moved objects' own relationships over the changed columns: many-to-ones first, which the
  // collections then read (a member's own side says where the application has it).
  const own = [...changes].flatMap(([state, changed]) =>
    [...relationshipsOf(state.mapper).values()]
      .filter((property) => loadedOf(state).has(property.key))
      .filter((property) => property.pairs.some(([column]) => changed.has(column.key)))
      .map((property) => [state, property] as const),
  )
  for (const [state, property] of own) {
    if (property.direction === "many-to-one") setOne(state, property.key, targetOf(state, property, session))
  }
  for (const [state, property] of own) {
    if (property.direction === "one-to-many") {
      for (const member of heldOf.get(property.target.table) ?? []) reconcile(state, property, member)
    } else if (property.direction === "many-to-many" && !followsKey(property, "parent")) {
      unload(state, property.key)
    }
  }
  // The other held objects' relationships that point at a moved object's changed columns.
  for (const owner of held) {
    if (owner.gone || loadedOf(owner).size === 0) continue
    for (const key of loadedOf(owner)) {
      const property = relationshipOf(owner.mapper, key)
      const candidates = movedOf.get(property.target.table)
      if (!candidates) continue
      for (const member of candidates) {
        const changed = changes.get(member) as Set<string>
        if (property.direction === "many-to-many") {
          const columns = property.secondary?.pairs.map(([, target]) => target.key) ?? []
          if (columns.some((k) => changed.has(k)) && !followsKey(property, "target")) {
            if (relatedIncludes(owner, key, member.object)) unload(owner, key)
          }
        } else if (!property.pairs.some(([, target]) => changed.has(target.key))) continue
        else if (property.direction === "one-to-many") reconcile(owner, property, member)
        else if (owner.values[key] === member.object && !changes.has(owner)) {
          // Its key still names the row's old key (no ON UPDATE action): found by that, or unknown.
          setOne(owner, key, targetOf(owner, property, session))
        }
      }
    }
  }
}

/**
 * The object a many-to-one names by the row's foreign key: null for a NULL key, the held object when
 * the key is the target's primary key, else undefined (unknown without a query).
 */
function targetOf(
  state: InstanceState,
  property: RelationshipProperty,
  session: RelinkSession,
): object | null | undefined {
  const row = state.committed ?? state.values
  const byTarget = new Map(property.pairs.map(([own, target]) => [target, row[own.key]] as const))
  if ([...byTarget.values()].some((value) => value === null || value === undefined)) return null
  const primaryKey = property.target.primaryKey
  if (primaryKey.length !== byTarget.size || !primaryKey.every((column) => byTarget.has(column)))
    return undefined
  return session.objectAt(
    property.target,
    primaryKey.map((column) => byTarget.get(column)),
  )?.object
}

/** Sets a many-to-one as committed; its current value too unless the application changed it since. */
function setOne(state: InstanceState, key: string, target: object | null | undefined): void {
  if (target === undefined) {
    unload(state, key)
    return
  }
  const committed = committedCollectionsOf(state).get(key)
  const unchanged = committed === undefined || state.values[key] === (committed[0] ?? null)
  committedCollectionsOf(state).set(key, target ? [target] : [])
  if (unchanged) state.values[key] = target
}

/**
 * Puts `member` in the owner's loaded one-to-many, or takes it out, as the rows' columns say, in its
 * committed members; in its current ones too unless the application moved the member there since.
 */
function reconcile(owner: InstanceState, property: RelationshipProperty, member: InstanceState): void {
  if (member.gone || !owner.committed || !member.committed) return
  const [ownerRow, memberRow] = [owner.committed, member.committed]
  const belongs = property.pairs.every(
    ([own, target]) => ownerRow[own.key] !== null && sameKey(ownerRow[own.key], memberRow[target.key]),
  )
  const key = property.key
  const committed = committedCollectionsOf(owner).get(key) ?? []
  const was = committed.includes(member.object)
  if (was === belongs) return
  const held = relatedIncludes(owner, key, member.object)
  // Where the application has the member now: its own loaded side says (moved and not flushed yet,
  // with autoflush off, that move stands); without one, a member it did not move follows the row.
  const back = property.backPopulates
  const wanted =
    back !== undefined && loadedOf(member).has(back)
      ? member.values[back] === owner.object
      : held === was
        ? belongs
        : held
  if (!property.uselist) {
    committedCollectionsOf(owner).set(key, belongs ? [member.object] : [])
    if (wanted !== held) owner.values[key] = wanted ? member.object : null
    return
  }
  committedCollectionsOf(owner).set(
    key,
    belongs ? [...committed, member.object] : committed.filter((item) => item !== member.object),
  )
  if (wanted === held) return
  const list = owner.values[key] as object[]
  // Quietly: the other side is set from the row already, and nothing is to be written.
  if (list instanceof RelationshipList) {
    if (wanted) list.addQuietly(member.object)
    else list.removeQuietly(member.object)
  } else if (wanted) Array.prototype.push.call(list, member.object)
  else Array.prototype.splice.call(list, list.indexOf(member.object), 1)
}

/** Whether a many-to-many's association rows follow a change of one side's key (ON UPDATE CASCADE). */
function followsKey(property: RelationshipProperty, side: "parent" | "target"): boolean {
  const secondary = property.secondary
  if (!secondary) return false
  const referenced = side === "parent" ? property.parent.table : property.target.table
  const columns = new Set(
    (side === "parent" ? property.pairs.map(([, link]) => link) : secondary.pairs.map(([link]) => link)).map(
      (c) => c.name,
    ),
  )
  return secondary.table.foreignKeys.some(
    (fk) =>
      fk.referencedTable === referenced.name &&
      fk.columns.some((name) => columns.has(name)) &&
      fk.options.onUpdate === "CASCADE",
  )
}

function relatedIncludes(state: InstanceState, key: string, object: object): boolean {
  const value = state.values[key]
  return Array.isArray(value) ? value.includes(object) : value === object
}

/** Forgets a loaded relationship: reading it raises NotLoadedError until it is loaded again. */
function unload(state: InstanceState, key: string): void {
  delete state.values[key]
  committedCollectionsOf(state).delete(key)
  loadedOf(state).delete(key)
}

function changedKeys(
  state: InstanceState,
  before: Readonly<Record<string, unknown>> | undefined,
): Set<string> {
  const now = state.committed
  if (!now || !before) return new Set()
  return new Set(
    state.mapper.columnKeys.filter(
      (key) => !sameValue(now[key], before[key]) && !sameNumber(now[key], before[key]),
    ),
  )
}

const LINK_COLUMNS = new WeakMap<Mapper, ReadonlySet<string>>()

/**
 * The columns of a mapper's table that a relationship or a foreign key may join on: its primary key,
 * its foreign keys, its relationships' own columns and the columns other tables' foreign keys
 * reference. A bulk UPDATE of others (`isActive`) relinks nothing, and costs no walk of the session.
 */
function linkColumns(mapper: Mapper): ReadonlySet<string> {
  let found = LINK_COLUMNS.get(mapper)
  if (found) return found
  const table = mapper.table
  const keys = [
    ...table.primaryKey.map((column) => column.key),
    ...table.foreignKeys.flatMap((fk) => fk.columns.map((name) => table.requireColumn(name).key)),
    ...[...relationshipsOf(mapper).values()].flatMap((property) => property.pairs.map(([own]) => own.key)),
    ...mapper.registry.metadata.tables.flatMap((other) =>
      other.foreignKeys
        .filter((fk) => fk.referencedTable === table.name)
        .flatMap((fk) => fk.referencedColumns.map((name) => table.requireColumn(name).key)),
    ),
  ]
  found = new Set(keys)
  LINK_COLUMNS.set(mapper, found)
  return found
}

/**
 * 7 and 7n: one value (a BigInteger given a number reads back as a bigint). Only for plain values: a
 * JSON document is no key, and one with a "toString" member cannot be made text (sameValue compares it).
 */
function sameNumber(a: unknown, b: unknown): boolean {
  return typeof a !== "object" && typeof b !== "object" && sameKey(a, b)
}

/** Key values compare as identities do: 7 and 7n alike, a Date by its time; NULL equals nothing. */
function sameKey(a: unknown, b: unknown): boolean {
  const key = valueKey(a)
  return key !== undefined && key === valueKey(b)
}

function groupByTable(states: Iterable<InstanceState>): Map<Table, InstanceState[]> {
  const groups = new Map<Table, InstanceState[]>()
  for (const state of states) {
    const group = groups.get(state.mapper.table)
    if (group) group.push(state)
    else groups.set(state.mapper.table, [state])
  }
  return groups
}
