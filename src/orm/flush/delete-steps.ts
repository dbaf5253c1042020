// Delete planning: what deleting a row does to the rows that point at it (bulk statements for those
// never loaded, NULL keys for loaded children), and the order a table's rows go in, children first.
import type { Column } from "../../sql/schema/column.ts"
import type { Table } from "../../sql/schema/table.ts"
import { cached } from "../../util/cached.ts"
import { identityKey } from "../identity-map.ts"
import { type Mapper, type RelationshipProperty, relationshipsOf } from "../mapper.ts"
import { isPartial } from "../reference.ts"
import { type InstanceState, loadedOf, sameValue, stateOf } from "../state.ts"
import type { Linking, WriteStep } from "./plan.ts"

/** A bulk step that clears the rows a deleted object leaves behind, and that object. */
export interface Dependents {
  readonly parent: InstanceState
  readonly step: WriteStep
}

/**
 * Deleted rows of one table ordered so that a row goes after the rows that point at it through the
 * table's own foreign keys (children before parents, by levels from the leaves); rows in a cycle keep
 * their order, last.
 */
export function childrenFirst(states: InstanceState[], table: Table): InstanceState[] {
  const selfKeys = table.foreignKeys.filter((fk) => fk.referencedTable === table.name)
  if (selfKeys.length === 0 || states.length < 2) return states
  // How many of the rows point at each, and which rows each points at.
  const children = new Map<InstanceState, number>(states.map((state) => [state, 0]))
  const parentsOf = new Map<InstanceState, InstanceState[]>()
  for (const fk of selfKeys) {
    const referenced = fk.referencedColumns.map((name) => table.requireColumn(name).key)
    const byKey = new Map(
      states.map((state) => [identityKey(referenced.map((key) => state.committed?.[key])), state]),
    )
    for (const state of states) {
      const parent = byKey.get(identityKey(fk.columns.map((key) => state.committed?.[key])))
      if (!parent || parent === state) continue
      children.set(parent, (children.get(parent) as number) + 1)
      cached(parentsOf, state, () => []).push(parent)
    }
  }
  // Kahn's algorithm from the leaves; within a level, rows keep the order given (key order).
  const position = new Map(states.map((state, i) => [state, i]))
  const ordered: InstanceState[] = []
  let level = states.filter((state) => children.get(state) === 0)
  while (level.length > 0) {
    ordered.push(...level)
    const ready = new Set<InstanceState>()
    for (const state of level) {
      for (const parent of parentsOf.get(state) ?? []) {
        const left = (children.get(parent) as number) - 1
        children.set(parent, left)
        if (left === 0) ready.add(parent)
      }
    }
    level = [...ready].sort((a, b) => (position.get(a) as number) - (position.get(b) as number))
  }
  const placed = new Set(ordered)
  return [...ordered, ...states.filter((state) => !placed.has(state))]
}

/**
 * What deleting a row does to the rows that point at it, as SQLAlchemy does unless `passiveDeletes`
 * leaves it to the database's ON DELETE: loaded children without a `delete` cascade get their foreign
 * key set to NULL; children not loaded are deleted (with a `delete` cascade) or unlinked by one bulk
 * statement each, in the same request, with no query to find them; association rows are deleted.
 */
export function releaseDependents(
  state: InstanceState,
  dependents: Map<Table, Dependents[]>,
  /** The objects the session holds, and the plan's list of deleted ones, which a subtree adds to. */
  held: readonly InstanceState[],
  deleted: InstanceState[],
): void {
  for (const property of relationshipsOf(state.mapper).values()) {
    if (property.passiveDeletes || property.direction === "many-to-one") continue
    const add = (step: WriteStep) =>
      dependents.set(step.table, [...(dependents.get(step.table) ?? []), { parent: state, step }])
    const parentKey = (column: Column<unknown>) => state.committed?.[column.key]
    const byParentKey = property.pairs.every(([own]) => state.mapper.table.primaryKey.includes(own))
    if (property.secondary) {
      const where = new Map(property.pairs.map(([own, link]) => [link.key, parentKey(own)]))
      add({
        kind: "delete",
        table: property.secondary.table,
        state: undefined,
        values: new Map(),
        where,
        mustMatchOne: false,
        byParentKey,
      })
      continue
    }
    if (loadedOf(state).has(property.key)) {
      if (property.cascade.has("delete")) continue
      let outside = false
      for (const child of members(property, state.values[property.key])) {
        const childState = stateOf(child)
        // Deleted with its own row, or given another parent: the flush pointed its key elsewhere
        // (SQLAlchemy leaves alone a child another collection added).
        if (childState.deleted || pointsElsewhere(childState, state, property)) continue
        // Not in the session (expunged): the flush writes nothing of it, so its row is unlinked by the
        // bulk UPDATE below, as an unloaded collection's are, and the object left as it is.
        if (childState.session !== state.session) {
          outside ||= !childState.gone
          continue
        }
        // Its side of the relationship too, as for the children the bulk UPDATE unlinks: left naming
        // the deleted parent, it read that parent though its key was NULL.
        unlink(childState, state, property)
      }
      if (!outside) continue
      // The bulk UPDATE reaches the rows of held objects the loaded collection does not list (added
      // by another writer since it loaded): those objects are unlinked with their rows.
      const listed = new Set(members(property, state.values[property.key]))
      for (const child of held) {
        const named = property.pairs.every(([own, remote]) =>
          sameValue(child.committed?.[remote.key], state.committed?.[own.key]),
        )
        if (child.mapper !== property.target || !named || listed.has(child.object)) continue
        if (!child.deleted && !pointsElsewhere(child, state, property)) unlink(child, state, property)
      }
    }
    const table = property.target.table
    const where = new Map(property.pairs.map(([own, remote]) => [remote.key, parentKey(own)]))
    if (property.cascade.has("delete")) {
      // Through the table's own foreign key, the children's children go too (one statement, checked
      // at its end), where a single-column key lets the statement name them.
      const [key] = table.primaryKey
      const tree =
        table === state.mapper.table &&
        table.primaryKey.length === 1 &&
        property.pairs.length === 1 &&
        property.pairs[0]?.[0] === key
      // What the children (the whole subtree, for a tree) leave behind goes first, at every level
      // below them (SQLAlchemy loads the children, their collections and theirs, to delete or unlink
      // them): it would keep their rows.
      const tables = new Set([state.mapper.table, table])
      const subtree = tree ? property.pairs : undefined
      releaseBelow(property.target, undefined, { where, byParentKey, add, held, deleted, tables, subtree })
      add({
        kind: "delete",
        table,
        state: undefined,
        values: new Map(),
        where,
        mustMatchOne: false,
        byParentKey,
        ...(tree ? { subtree: property.pairs, removes: heldIn(table, held, deleted) } : {}),
      })
    } else {
      const values = new Map(property.pairs.map(([, remote]) => [remote.key, null as unknown]))
      add({ kind: "update", table, state: undefined, values, where, mustMatchOne: false, byParentKey })
    }
  }
}

/** What the bulk statements below a deleted parent share: its children's `where`, and where steps go. */
interface Below {
  readonly where: Map<string, unknown>
  readonly byParentKey: boolean
  readonly add: (step: WriteStep) => void
  readonly held: readonly InstanceState[]
  readonly deleted: InstanceState[]
  /** The tables above, from the deleted parent's down: a level that comes back to one (a tree, a cycle) is left to ON DELETE. */
  readonly tables: ReadonlySet<Table>
  /** The children are a tree's: `where` finds the top of the subtree that goes (Linking.subtree). */
  readonly subtree?: Linking["subtree"]
}

/**
 * What deleting the rows of `mapper` that `rows` finds (the children a parent's `where` finds when
 * undefined) leaves behind, as SQLAlchemy's delete cascade leaves it from loaded rows: their
 * association rows deleted, and through their one-to-many relationships, the rows below deleted (with
 * what those leave, first) or unlinked (a relationship without a delete cascade), each level by one
 * statement that finds it through the rows above: `book_id IN (SELECT id FROM books WHERE author_id =
 * $1)`. The objects the session holds of those rows follow them (its RETURNING). Relationships with
 * `passiveDeletes`, or joined by several columns, are left to the database's ON DELETE, as before.
 */
function releaseBelow(mapper: Mapper, rows: Linking | undefined, below: Below): void {
  for (const linked of relationshipsOf(mapper).values()) {
    const [pair, more] = linked.pairs
    if (linked.direction === "many-to-one" || linked.passiveDeletes || !pair || more) continue
    const [own, link] = pair
    const bottom = below.subtree ? { subtree: below.subtree } : {}
    const linking: Linking = { table: mapper.table, own, link, ...(rows ? { via: rows } : bottom) }
    const common = {
      state: undefined,
      where: below.where,
      mustMatchOne: false,
      byParentKey: below.byParentKey,
    }
    if (linked.secondary) {
      below.add({ kind: "delete", table: linked.secondary.table, values: new Map(), linking, ...common })
      continue
    }
    const table = linked.target.table
    if (below.tables.has(table)) continue
    if (linked.cascade.has("delete")) {
      releaseBelow(linked.target, linking, { ...below, tables: new Set([...below.tables, table]) })
      const removes = heldIn(table, below.held, below.deleted)
      below.add({ kind: "delete", table, values: new Map(), linking, removes, ...common })
    } else {
      const values = new Map([[link.key, null as unknown]])
      const removes = unlinkedIn(table, link, linked.backPopulates, below.held)
      below.add({ kind: "update", table, values, linking, removes, ...common })
    }
  }
}

/** Whether a child's foreign key, as the flush writes it, names a row other than `parent`'s. */
function pointsElsewhere(
  child: InstanceState,
  parent: InstanceState,
  property: RelationshipProperty,
): boolean {
  const { pairs } = property
  return (
    pairs.every(([, remote]) => child.values[remote.key] != null) &&
    pairs.some(([own, remote]) => !sameValue(child.values[remote.key], parent.committed?.[own.key]))
  )
}

/**
 * A held child of a deleted parent, as the bulk UPDATE leaves its row: its foreign key NULL, and its
 * side of the relationship empty. Done here, after the session saved the objects a flush changes, so
 * a failed flush puts it back.
 */
export function unlink(child: InstanceState, parent: InstanceState, property: RelationshipProperty): void {
  for (const [, remote] of property.pairs) child.values[remote.key] = null
  const back = property.backPopulates
  if (back && loadedOf(child).has(back) && child.values[back] === parent.object) child.values[back] = null
}

export function deleteStep(state: InstanceState): WriteStep {
  return {
    kind: "delete",
    table: state.mapper.table,
    state,
    values: new Map(),
    where: rowKey(state),
    mustMatchOne: true,
  }
}

/** The objects a relationship value holds: a collection, or the one object of a one-to-one. */
export function members(property: RelationshipProperty, value: unknown): object[] {
  if (property.uselist) return (value as object[] | null) ?? []
  return value ? [value as object] : []
}

/**
 * The row as the database has it: committed primary key and, with a version column, its version. A
 * reference (session.reference) asserts every column it was given: the row must still hold them all.
 */
export function rowKey(state: InstanceState): Map<string, unknown> {
  const committed = state.committed ?? {}
  const { primaryKey, versionColumn, columnKeys } = state.mapper
  const where = new Map(primaryKey.map((col) => [col.key, committed[col.key]]))
  for (const key of isPartial(state) ? columnKeys : [versionColumn?.key]) {
    if (key !== undefined && key in committed && !where.has(key)) where.set(key, committed[key])
  }
  return where
}

/** Rows of association tables to add and remove, each once even when both sides changed. */

/**
 * What a bulk DELETE below a deleted parent (a subtree, a level below its children) tells of the rows
 * it took: the objects the session holds of them (a grandchild whose parent it does not hold) are
 * deleted with them, as if the flush had deleted them itself.
 */
function heldIn(table: Table, held: readonly InstanceState[], deleted: InstanceState[]) {
  return followRows(table, held, (state) => {
    if (state.deleted) return
    state.deleted = true
    deleted.push(state)
  })
}

/**
 * What a bulk UPDATE that unlinks rows below a deleted parent tells of them: the objects the session
 * holds of them have the key NULL, as the row has it now, and their side of the relationship empty.
 */
function unlinkedIn(
  table: Table,
  link: Column<unknown>,
  back: string | undefined,
  held: readonly InstanceState[],
) {
  return followRows(table, held, (state) => {
    state.values[link.key] = null
    if (state.committed) state.committed[link.key] = null
    if (back && loadedOf(state).has(back)) state.values[back] = null
  })
}

/**
 * The held objects of each table by key, per flush (its list of held objects): one index for all the
 * statements that follow rows, a statement per deleted parent and level (made for each, a flush
 * deleting many parents cost parents times held objects).
 */
const heldByKey = /* @__PURE__ */ new WeakMap<
  readonly InstanceState[],
  Map<Table, Map<unknown, InstanceState>>
>()

/** Tells `follow` each held object of `table` whose row a statement returned (its primary key alone). */
function followRows(table: Table, held: readonly InstanceState[], follow: (state: InstanceState) => void) {
  return (rows: readonly (readonly unknown[])[]): void => {
    if (rows.length === 0) return
    const key = table.primaryKey
    // Looked up when the rows come back: by then the flush has given its new objects their keys.
    const byKey = cached(
      cached(heldByKey, held, () => new Map()),
      table,
      () =>
        new Map(
          held
            .filter((state) => state.mapper.table === table)
            .map((state) => [identityKey(key.map((column) => state.committed?.[column.key])), state]),
        ),
    )
    for (const row of rows) {
      const state = byKey.get(identityKey(key.map((_, i) => row[i])))
      if (state) follow(state)
    }
  }
}
