// The unit of work: what a flush must write, as ordered steps, so that a whole commit can travel as ONE
// atomic request over HTTP (a Neon `transaction([...])`, a libSQL `batch`), whatever the object graph.
//
// Design. Statements in one request cannot read each other's results on the client, so every value a
// statement needs must be known when the request is built, or computable by the database inside it:
//  1. Collect (./collect.ts): new objects and what they reach through `save-update`, persistent ones,
//     deleted ones with their `delete` cascades and orphans.
//  2. Sync: write each loaded relationship into foreign-key columns. A key the database has not generated
//     yet is a KeyRef ("the key of that new object"); many-to-many changes become association rows.
//  3. Order: table by table in foreign-key order, plus the order KeyRefs set by listeners imply, the
//     UPDATEs of changed columns only, then INSERT one multi-row statement per table (and per level, for
//     rows of one table that point at each other; ./insert-steps.ts); then post-updates that close
//     cycles (`postUpdate`) and UPDATEs that point at rows inserted after their table's turn; then deletes,
//     children first, with bulk statements for dependents that were never loaded (no query to find
//     them; ./delete-steps.ts). Within a statement, rows others may lock go in key order
//     (./lock-order.ts), so flushes cannot deadlock.
//  4. Render per dialect: PostgreSQL hands keys on through `set_config`/`current_setting` inside the
//     transaction (./postgres.ts); SQLite assigns them as `max(key) + n` under its single writer lock
//     (./sqlite.ts). Every UPDATE/DELETE of a mapped row checks it matched exactly one row (and its
//     version), failing the request, so a stale row rolls back everything (StaleDataError).
//  5. Apply: RETURNING rows give every object its keys, defaults and server values. On failure the
//     session puts every object back as it was before the flush.
// Mapper listeners run between planning rounds (session.ts), so rows they add join the same request.
import { InvalidRequestError } from "../../errors.ts"
import type { Column } from "../../sql/schema/column.ts"
import { isGeneratedKey, type Table } from "../../sql/schema/table.ts"
import { cached } from "../../util/cached.ts"
import { noteSet } from "../expired-sets.ts"
import { identityKey, valueKey } from "../identity-map.ts"
import { type RelationshipProperty, relationshipOf, relationshipsOf } from "../mapper.ts"
import {
  committedCollectionsOf,
  type InstanceState,
  loadedOf,
  relatedOf,
  relationshipChanged,
  sameValue,
  stateOf,
} from "../state.ts"
import {
  childrenFirst,
  type Dependents,
  deleteStep,
  members,
  releaseDependents,
  rowKey,
  unlink,
} from "./delete-steps.ts"
import { insertOrder, insertSteps, needsNewRows, rowKeyIn } from "./insert-steps.ts"
import { KeyRef } from "./key-ref.ts"
import { sortByKey } from "./lock-order.ts"
import { checkModels } from "./model-checks.ts"
import { rowSwitches, sparing } from "./row-switch.ts"

export { KeyRef } from "./key-ref.ts"

export interface InsertRow {
  readonly state: InstanceState | undefined
  /** Column key to value; a value may be a KeyRef or a Core expression. */
  readonly values: Map<string, unknown>
}

export interface InsertStep {
  readonly kind: "insert"
  readonly table: Table
  readonly rows: InsertRow[]
  /** The integer primary key the database generates for these rows, if any. */
  readonly generatedKey: Column<unknown> | undefined
  /** Rows added with `addUnique`: the unique columns whose existing row they take on conflict. */
  readonly conflictKeys?: readonly string[]
  /** Association rows of a collection replaced blindly: rows that exist already are left as they are. */
  readonly ignoreExisting?: boolean
}

export interface WriteStep {
  readonly kind: "update" | "delete"
  readonly table: Table
  readonly state: InstanceState | undefined
  /** UPDATE only: column key to new value. */
  readonly values: Map<string, unknown>
  /** The row, by column key: primary key, plus the expected version where there is one. */
  readonly where: Map<string, unknown>
  /** Whether exactly one row must match (rows of mapped objects); link rows are not checked. */
  readonly mustMatchOne: boolean
  /**
   * The rows of a deleted parent's children, found by its primary key: timestamps in `where` are
   * matched within their millisecond, as the parent's own DELETE in the same transaction matches it
   * (which refuses two parents found so, so no other parent's children are reached).
   */
  readonly byParentKey?: boolean
  /** DELETE only: rows whose `column` holds one of `values` are kept (a collection replaced blindly). */
  readonly keep?: { readonly column: string; readonly values: readonly unknown[] }
  /**
   * DELETE only: also every row below the rows `where` finds, through these (parent column, child
   * column) pairs of the table's own foreign key: a tree's unloaded subtree, in one statement.
   */
  readonly subtree?: readonly (readonly [Column<unknown>, Column<unknown>])[]
  /**
   * The rows whose link column names a row of another table that `where` finds there, or that a
   * `via` below finds (the rows below children deleted in bulk, at any depth): `link IN (SELECT own
   * FROM table WHERE ...)`.
   */
  readonly linking?: Linking
  /** Told the rows the statement deleted or unlinked (its RETURNING: their primary keys): the objects held of them follow. */
  readonly removes?: (rows: readonly (readonly unknown[])[]) => void
}

/** Rows of another table, found by `where` there, or by a `via` one level further down. */
export interface Linking {
  readonly table: Table
  readonly own: Column<unknown>
  readonly link: Column<unknown>
  readonly via?: Linking
  /** At the bottom: the rows `where` finds and all below them, through these pairs of the table's own foreign key. */
  readonly subtree?: readonly (readonly [Column<unknown>, Column<unknown>])[]
}

export type Step = InsertStep | WriteStep

export interface FlushPlan {
  readonly steps: Step[]
  readonly inserted: InstanceState[]
  readonly updated: InstanceState[]
  readonly deleted: InstanceState[]
  /** Row switches (./row-switch.ts): each new object, and the deleted one whose row it takes over. */
  readonly switches: ReadonlyMap<InstanceState, InstanceState>
}

export interface FlushInput {
  /** Pending objects (cascades included) and persistent ones that may have changed. */
  readonly pending: readonly InstanceState[]
  readonly persistent: readonly InstanceState[]
  readonly deleted: readonly InstanceState[]
  /** Objects held of deleted parents through unloaded relationships that do not cascade the delete. */
  readonly unlinked?: readonly Unlinked[]
}

/** A child whose parent's row goes, through `property`: its foreign key goes to NULL with it. */
export interface Unlinked {
  readonly child: InstanceState
  readonly parent: InstanceState
  readonly property: RelationshipProperty
}

export function planFlush(input: FlushInput, order: readonly Table[]): FlushPlan {
  checkModels([...input.pending, ...input.persistent, ...input.deleted])
  const links = new LinkChanges(new Set(input.pending))
  for (const state of [...input.pending, ...input.persistent]) syncRelationships(state, links)
  const dependents = new Map<Table, Dependents[]>()
  const deleted = [...input.deleted]
  for (const state of input.deleted) releaseDependents(state, dependents, input.persistent, deleted)
  for (const { child, parent, property } of input.unlinked ?? []) unlink(child, parent, property)
  const updated = input.persistent.filter((state) => state.modifiedColumns().length > 0)
  // A new object with the key of a deleted one takes its row over: an UPDATE, no INSERT or DELETE.
  const switches = rowSwitches(input.pending, input.deleted)
  const switchedOut = new Set(switches.values())
  const inserting = input.pending.filter((state) => !switches.has(state))
  const steps: Step[] = []
  const linkInserts: Step[] = []
  // Table by table, as SQLAlchemy's save_obj: a table's UPDATEs before its INSERTs, so that an UPDATE
  // frees a unique value or key a new row takes. An UPDATE that needs a row yet to be inserted waits
  // until all are. Rows of a table are written in key order (./lock-order.ts), so concurrent flushes
  // lock them alike.
  const updates = byTableAndKey(
    [
      ...updated.map((state) => updateStep(state)),
      ...[...switches].map(([state, old]) => updateStep(state, old)),
    ],
    order,
  )
  const notInserted = new Set(inserting)
  const waiting: WriteStep[] = []
  const tables = insertOrder(order, inserting)
  for (const table of tables) {
    for (const step of updates) {
      if (step.table === table) (needsNewRows(step, notInserted) ? waiting : steps).push(step)
    }
    const rows = inserting.filter((s) => s.mapper.table === table)
    steps.push(...insertSteps(table, rows))
    for (const row of rows) notInserted.delete(row)
    linkInserts.push(...links.inserts(table))
  }
  steps.push(...byTableAndKey(links.postUpdates(), order))
  steps.push(...waiting, ...updates.filter((step) => !tables.includes(step.table)))
  // Links after the UPDATEs: a row the flush meant to update but no longer exists (a stale reference)
  // fails its own check first, as StaleDataError, before a link to it fails its foreign key.
  steps.push(...linkInserts)
  steps.push(...releasedCycles(input.deleted.filter((state) => !switchedOut.has(state))))
  for (const table of [...order].reverse()) {
    const doomed = input.deleted.filter((s) => s.mapper.table === table && !switchedOut.has(s))
    // Bulk steps that clear this table's rows, by the deleted object that leaves them behind.
    const bulk = new Map<InstanceState, WriteStep[]>()
    for (const { parent, step } of dependents.get(table) ?? []) {
      // A new object takes the parent's row over: its children stay, and so do their links.
      if (switchedOut.has(parent) && step.linking) continue
      const clears = switchedOut.has(parent) ? sparing(step, steps, input.persistent) : step
      cached(bulk, parent, () => []).push(clears)
    }
    steps.push(...sortByKey(links.deletes(table), whereKey))
    // The table's deleted objects one by one, each after the rows of its own table that point at it
    // (a tree, leaves first); then what deleted rows of other tables leave behind here, in bulk (after
    // the objects, which must each still find their row).
    const inKeyOrder = sortByKey(doomed, (s) => [...rowKey(s).values()])
    for (const state of childrenFirst(inKeyOrder, table)) {
      steps.push(...sortByKey(bulk.get(state) ?? [], whereKey), deleteStep(state))
      bulk.delete(state)
    }
    steps.push(...sortByKey([...bulk.values()].flat(), whereKey))
  }
  return { steps, inserted: [...input.pending], updated, deleted, switches }
}

/**
 * Rows deleted with a row their `postUpdate` many-to-one names (a department and its head, each naming
 * the other): their key is set to NULL first, by an UPDATE of its own, as SQLAlchemy's post_update does
 * before a DELETE. Either DELETE would otherwise fail on the other row's foreign key. (The version, if
 * any, is left: the row's DELETE still checks it.)
 */
function releasedCycles(deleted: readonly InstanceState[]): WriteStep[] {
  const going = new Map<Table, Set<unknown>>()
  for (const state of deleted)
    cached(going, state.mapper.table, () => new Set()).add(identityKey(state.identity ?? []))
  const steps: WriteStep[] = []
  for (const state of deleted) {
    for (const property of relationshipsOf(state.mapper).values()) {
      if (property.direction !== "many-to-one" || !property.spec.options.postUpdate) continue
      const named = property.pairs.map(([local]) => state.committed?.[local.key])
      if (named.some((value) => value == null)) continue
      // The row it names, by the target's key (the pairs' remote columns are that key, in order).
      if (!going.get(property.target.table)?.has(identityKey(named))) continue
      const values = new Map(property.pairs.map(([local]) => [local.key, null]))
      steps.push({
        kind: "update",
        table: state.mapper.table,
        state,
        values,
        where: rowKey(state),
        mustMatchOne: false,
      })
    }
  }
  return sortByKey(steps, whereKey)
}

/** UPDATEs table by table in foreign-key order, each table's rows by key, as SQLAlchemy's unit of work. */
function byTableAndKey(steps: WriteStep[], order: readonly Table[]): WriteStep[] {
  const position = (table: Table) => (order.includes(table) ? order.indexOf(table) : order.length)
  return sortByKey(steps, (step) => [position(step.table), ...whereKey(step)])
}

const whereKey = (step: WriteStep): unknown[] => [...step.where.values()]

/**
 * Writes foreign keys from loaded relationships into column values; collects link-table changes. As
 * in SQLAlchemy, only a relationship that changed (or links a row this flush inserts) writes its keys:
 * one loaded as the database has it leaves the foreign-key columns to the application
 * (`comment.postId = other.id` is kept, not put back from `comment.post`).
 */
function syncRelationships(state: InstanceState, links: LinkChanges): void {
  for (const key of loadedOf(state)) {
    const property = relationshipOf(state.mapper, key)
    const value = state.values[key]
    if (property.direction === "many-to-one") {
      const target = value ? stateOf(value as object) : undefined
      // A row this flush inserts has its key only then, and a row whose key changes has a new one: a
      // link to either is always written.
      const targetKeyMoves =
        target !== undefined && (target.committed === undefined || keyChanges(target, property.pairs, 1))
      if (!targetKeyMoves && !relationshipChanged(state, key)) continue
      const deferred =
        property.spec.options.postUpdate && (state.committed === undefined || target?.committed === undefined)
      for (const [local, remote] of property.pairs) {
        const key = value ? keyOf(value as object, remote) : null
        if (!deferred && key instanceof KeyRef && key.state === state) refuseOwnKey(state, property)
        if (deferred && value) {
          // A new row goes in with the key unset; a row already there keeps its old key until the UPDATE.
          if (state.committed === undefined) state.values[local.key] = null
          links.postUpdate(state, local.key, key)
        } else {
          state.values[local.key] = key
          noteSet(state, local.key)
        }
      }
    } else if (property.direction === "one-to-many") {
      const before = committedCollectionsOf(state).get(key)
      // Children follow a key of this row that changes (as SQLAlchemy's, and ON UPDATE CASCADE, do).
      const keyMoves = state.committed === undefined || keyChanges(state, property.pairs, 0)
      const linked = new Set(keyMoves ? undefined : before)
      for (const child of members(property, value)) {
        // A child the database already links here keeps its foreign key as the application has it.
        if (linked.has(child)) continue
        const childState = stateOf(child)
        for (const [local, remote] of property.pairs) {
          childState.values[remote.key] = keyOf(state.object, local)
          noteSet(childState, remote.key)
        }
      }
      for (const gone of removedMembers(state, property)) {
        const goneState = stateOf(gone)
        const back = property.backPopulates ?? ""
        if (loadedOf(goneState).has(back) && goneState.values[back]) continue
        for (const [, remote] of property.pairs) {
          // Unlinked, unless the application pointed its foreign key elsewhere itself.
          if (goneState.values[remote.key] === goneState.committed?.[remote.key]) {
            goneState.values[remote.key] = null
            noteSet(goneState, remote.key)
          }
        }
      }
    } else {
      links.record(state, property)
    }
  }
}

/**
 * A new row that names itself through a many-to-one (`node.parent = node`) cannot hold the key its own
 * INSERT generates: sent, it failed with the flush's internals (PostgreSQL: 'unrecognized configuration
 * parameter "edgealchemy.k0"'; SQLite: that it is not part of the flush). SQLAlchemy refuses it too, as a
 * cycle, unless the relationship has `post_update`.
 */
function refuseOwnKey(state: InstanceState, property: RelationshipProperty): never {
  const name = `${state.mapper.name}.${property.key}`
  throw new InvalidRequestError(
    `A new ${state.mapper.name} names itself in ${name}, but its key is generated by its own INSERT, which cannot hold it yet: ` +
      `declare ${name} with postUpdate: true (the key is then set by an UPDATE once the row exists), or give the object its key`,
  )
}

/** Whether the columns at `side` (0: parent's, 1: the pair's other) of `pairs` change on this row. */
function keyChanges(
  state: InstanceState,
  pairs: readonly (readonly [Column<unknown>, Column<unknown>])[],
  side: 0 | 1,
): boolean {
  return pairs.some((pair) => {
    const column = (pair[side] as Column<unknown>).key
    return !sameValue(state.values[column], state.committed?.[column])
  })
}

/** A column value, or the KeyRef of a row this flush inserts and the database keys. */
export function keyOf(object: object, column: Column<unknown>): unknown {
  const state = stateOf(object)
  const value = state.values[column.key]
  if (value !== undefined && value !== null) return value
  if (state.committed === undefined && isGeneratedKey(column)) return new KeyRef(state)
  throw new InvalidRequestError(
    `${state.mapper.name}.${column.key} has no value to link with; give it one or add the object to the session`,
  )
}

function removedMembers(state: InstanceState, property: RelationshipProperty): object[] {
  const before = committedCollectionsOf(state).get(property.key)
  if (!before) return []
  const now = new Set(relatedOf(state, property.key))
  return before.filter((item) => !now.has(item))
}

/**
 * The UPDATE of an object's row: its changed columns. A new object taking over the row of a deleted
 * one (`row`, a row switch) writes every column it gives, as SQLAlchemy's does, where that row is.
 */
function updateStep(state: InstanceState, row = state): WriteStep {
  const keys =
    row === state
      ? state.modifiedColumns()
      : state.mapper.columnKeys.filter((key) => state.values[key] !== undefined)
  const values = new Map<string, unknown>(keys.map((key) => [key, state.values[key]]))
  const unset = keys.find((key) => state.values[key] === undefined)
  if (unset !== undefined) {
    // Sent, the UPDATE would leave it out (undefined is "not given"), and the object would stay changed.
    throw new InvalidRequestError(
      `${state.mapper.name}.${unset} was set to undefined: assign null to store NULL, or a value (undefined is "not given", which only a new object's INSERT leaves to the column's default)`,
    )
  }
  const version = state.mapper.versionColumn
  if (version && !values.has(version.key)) {
    // A reference that was not given its version counts up from whatever the row has.
    const known = row.committed?.[version.key]
    values.set(version.key, known === undefined ? (version as Column<number>).add(1) : Number(known) + 1)
  }
  return {
    kind: "update",
    table: state.mapper.table,
    state,
    values,
    where: rowKey(row),
    mustMatchOne: true,
  }
}

class LinkChanges {
  readonly #added = new Map<Table, Map<string, Map<string, unknown>>>()
  readonly #removed = new Map<Table, Map<string, Map<string, unknown>>>()
  readonly #postUpdates: WriteStep[] = []
  /** Collections replaced without their members known: a DELETE of the other links per owner. */
  readonly #replaced: WriteStep[] = []

  /** The flush's new objects: a link to another new one, not inserted (a deleted parent's pending child), is not written, as SQLAlchemy skips it. */
  constructor(readonly pending: ReadonlySet<InstanceState>) {}

  /** A foreign key set after both rows are inserted (`postUpdate`), by its own UPDATE. */
  postUpdate(state: InstanceState, column: string, value: unknown): void {
    const [key] = state.mapper.primaryKey
    const where = new Map([[key?.key as string, keyOf(state.object, key as Column<unknown>)]])
    this.#postUpdates.push({
      kind: "update",
      table: state.mapper.table,
      state,
      values: new Map([[column, value]]),
      where,
      mustMatchOne: false,
    })
  }

  postUpdates(): WriteStep[] {
    return this.#postUpdates
  }

  record(state: InstanceState, property: RelationshipProperty): void {
    const secondary = property.secondary
    if (!secondary) return
    const now = state.values[property.key] as object[]
    const known = committedCollectionsOf(state).get(property.key)
    if (!known && state.committed !== undefined) this.replace(state, property, now)
    const before = new Set(known)
    const after = new Set(now)
    for (const item of now) {
      const other = stateOf(item)
      if (before.has(item) || (other.committed === undefined && !this.pending.has(other))) continue
      this.put(this.#added, secondary.table, linkRow(state.object, item, property))
    }
    // A member whose row is gone (deleted by an earlier flush or a bulk DELETE, and still in this
    // collection until it is reloaded) took its links with it: one under its key now is another row's,
    // which removing the stale member must not delete. SQLAlchemy skips it too (a deleted child).
    for (const item of before) {
      if (after.has(item) || stateOf(item).gone) continue
      this.put(this.#removed, secondary.table, linkRow(state.object, item, property))
    }
  }

  /**
   * A persistent object's collection assigned without its members loaded (`post.tags = [...]` on a
   * reference): it replaces what the database has, with no query. Its links are inserted leaving those
   * that exist alone, and one DELETE removes the owner's other links.
   */
  replace(state: InstanceState, property: RelationshipProperty, now: readonly object[]): void {
    const secondary = property.secondary as NonNullable<RelationshipProperty["secondary"]>
    if (secondary.pairs.length !== 1) {
      throw new InvalidRequestError(`Load ${state.mapper.name}.${property.key} before replacing it`)
    }
    const [link, target] = secondary.pairs[0] as readonly [Column<unknown>, Column<unknown>]
    this.#replaced.push({
      kind: "delete",
      table: secondary.table,
      state: undefined,
      values: new Map(),
      where: new Map(property.pairs.map(([own, column]) => [column.key, keyOf(state.object, own)])),
      mustMatchOne: false,
      keep: { column: link.key, values: now.map((item) => keyOf(item, target)) },
    })
  }

  inserts(table: Table): InsertStep[] {
    const rows = [...(this.#added.get(table)?.values() ?? [])].map((values) => ({ state: undefined, values }))
    if (rows.length === 0) return []
    const key = (table.primaryKey.length > 0 ? table.primaryKey : table.columns).map((column) => column.key)
    const ignoreExisting = this.#replaced.some((step) => step.table === table)
    return [
      {
        kind: "insert",
        table,
        generatedKey: undefined,
        rows: sortByKey(rows, rowKeyIn(key)),
        ...(ignoreExisting ? { ignoreExisting } : {}),
      },
    ]
  }

  deletes(table: Table): WriteStep[] {
    const removed = [...(this.#removed.get(table)?.values() ?? [])].map((where) => ({
      kind: "delete" as const,
      table,
      state: undefined,
      values: new Map(),
      where,
      mustMatchOne: false,
    }))
    return [...removed, ...this.#replaced.filter((step) => step.table === table)]
  }

  private put(
    into: Map<Table, Map<string, Map<string, unknown>>>,
    table: Table,
    row: Map<string, unknown>,
  ): void {
    const rows = into.get(table) ?? new Map<string, Map<string, unknown>>()
    into.set(table, rows)
    rows.set(identityOf(row), row)
  }
}

function linkRow(owner: object, item: object, property: RelationshipProperty): Map<string, unknown> {
  const row = new Map<string, unknown>()
  for (const [own, link] of property.pairs) row.set(link.key, keyOf(owner, own))
  for (const [link, target] of property.secondary?.pairs ?? []) row.set(link.key, keyOf(item, target))
  return row
}

const refIds = new WeakMap<InstanceState, number>()
let nextRefId = 0

/**
 * A string that is equal for the same link row, whichever side recorded it. Key values as identities
 * compare them: a Date by its milliseconds (its text stops at the second, so two targets keyed by Dates
 * of one second were one link row: one was never written, and removing one deleted both).
 */
function identityOf(row: Map<string, unknown>): string {
  return [...row.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => {
      if (value instanceof KeyRef) {
        if (!refIds.has(value.state)) refIds.set(value.state, nextRefId++)
        return `${key}=ref${refIds.get(value.state)}`
      }
      return `${key}=${JSON.stringify(valueKey(value))}`
    })
    .join("&")
}
