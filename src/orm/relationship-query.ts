// The query that loads one relationship for many parents at once, and how its objects are given to
// each parent. Reached through the relationships plugin (./relationships.ts). Used by `session.refresh(obj, ["posts"])`, `session.load(objects, User.posts)` and
// the loader options (./loading.ts).
import { InvalidRequestError } from "../errors.ts"
import { and } from "../sql/expression.ts"
import { alias } from "../sql/from.ts"
import { InJsonKeys } from "../sql/json-rows.ts"
import type { Column } from "../sql/schema/column.ts"
import { Select, select } from "../sql/select.ts"
import type { SelectItem } from "../sql/select-items.ts"
import { valueKey } from "./identity-map.ts"
import type { JoinedLoad } from "./loading.ts"
import { type Mapper, type RelationshipProperty, relationshipOf } from "./mapper.ts"
import { setRelationship } from "./relationship-accessors.ts"
import { type Hydration, hydrateRows } from "./session-reads.ts"
import { committedCollectionsOf, loadedOf, stateOf } from "./state.ts"

export interface RelationshipLoad {
  /** The target's rows (the target first), selected by `link` IN the parents' keys. */
  readonly statement: Select<readonly SelectItem[]>
  readonly link: Column<unknown>
  /** The parent key a row belongs to, read from the row as decoded, before it is hydrated. */
  linkOf(row: readonly unknown[]): unknown
  /** Sorts the loaded objects (each row's first item) out to their parents, by the rows' `links`. */
  assign(rows: readonly (readonly unknown[])[], links: readonly unknown[], parents: readonly object[]): Loaded
}

/**
 * A load's rows, read on their own (refresh, session.load), as objects given to their parents, which
 * take them as loaded.
 */
export function landLoad(
  load: RelationshipLoad,
  property: RelationshipProperty,
  rows: unknown[][],
  parents: readonly object[],
  hydration: Hydration,
): void {
  const links = rows.map(load.linkOf)
  assignLoaded(property, load.assign(hydrateRows(load.statement, rows, hydration), links, parents))
}

/**
 * Loads of relationships for `parents`, read on their own (refresh, session.load): their statements, to
 * be read in one request with whatever else is read, and `land`, given their rows in the same order.
 */
export function relationshipLoads(mapper: Mapper, keys: readonly string[], parents: readonly object[]) {
  const properties = keys.map((key) => relationshipOf(mapper, key))
  const loads = properties.map((property) => relationshipLoad(property, parents))
  return {
    statements: loads.map((load) => load.statement),
    land(results: readonly unknown[][][], hydration: Hydration): void {
      loads.forEach((load, i) => {
        landLoad(load, properties[i] as RelationshipProperty, results[i] ?? [], parents, hydration)
      })
    },
  }
}

/** Parents, each once, with their loaded objects. */
export type Loaded = readonly (readonly [parent: object, items: readonly object[]])[]

/**
 * The load of a relationship for `parents`; without them, the statement selects every child and the
 * caller adds the condition on `link` (./json-load.ts: the keys of the level above).
 */
export function relationshipLoad(
  property: RelationshipProperty,
  parents?: readonly object[],
): RelationshipLoad {
  const target = property.target.cls as unknown as SelectItem
  if (property.pairs.length !== 1 || (property.secondary?.pairs.length ?? 1) !== 1) {
    const name = `${property.parent.name}.${property.key}`
    // A many-to-one joins into its owners' query whatever its key (./loading.ts); a collection does not.
    const instead =
      property.uselist || property.secondary
        ? `select its rows in a query of their own: select(${property.target.name}).where(...)`
        : `join it into the query: .options(joinedload(${name}))`
    throw new InvalidRequestError(`Loading ${name} over a composite key is not supported yet; ${instead}`)
  }
  const [parentColumn, link] = property.pairs[0] as readonly [Column<unknown>, Column<unknown>]
  // Without `parents`, a level of a loader option selects its rows by the keys the database holds for
  // the level above (./json-load.ts), so it gives them out by those: a key changed in memory and not
  // flushed would find no row, and the relationship would read as empty, or null.
  const keyOf = (parent: object) => {
    const state = stateOf(parent)
    return ((!parents && state.committed) || state.values)[parentColumn.key]
  }
  // The link is a column of the target (a many-to-one's key, a one-to-many's foreign key), read from
  // its values; or, for a many-to-many, the association table's, selected beside it.
  const at = property.target.table.columns.indexOf(link)
  let statement = select(target, ...(at < 0 ? [link] : []))
  const secondary = property.secondary
  if (secondary) {
    const [secondaryColumn, targetColumn] = secondary.pairs[0] as readonly [Column<unknown>, Column<unknown>]
    statement = statement.join(secondary.table, and(secondaryColumn.eq(targetColumn)))
  }
  // Kept by a loader option's level too, whose JSON rows are ordered by it (./json-load.ts).
  if (property.orderBy.length > 0) statement = statement.orderBy(...property.orderBy)
  if (parents?.some((parent) => stateOf(parent).values[parentColumn.key] === undefined)) {
    const through = throughParentRows(property, parents, statement, parentColumn, link)
    if (through) return through
  }
  const keys = parents && [...new Set(parents.map(keyOf).filter((k) => k !== null && k !== undefined))]
  // Past a few hundred keys, one parameter per key nears what a statement may bind (65,535 on
  // PostgreSQL, 32,766 on SQLite): they go as one JSON array. Bytes, which SQLite's JSON cannot carry,
  // stay one parameter each.
  const many = keys && keys.length > MANY_KEYS && link.type.kind !== "binary"
  const where = keys && (many ? new InJsonKeys(link, keys) : link.in(keys as never))
  return {
    statement: (where ? statement.where(where) : statement) as Select<readonly SelectItem[]>,
    link,
    linkOf: at < 0 ? (row) => row[1] : (row) => (row[0] as readonly unknown[])[at],
    assign: (rows, links, owners) => group(owners, rows, links, keyOf),
  }
}

/**
 * The load for parents of which some do not know their side of the link (a reference not told its
 * foreign key, `session.reference(Post, { id })`): the related rows are found through the parents' own
 * rows, by the identities they know, and given out by them, so the database's key is read in the same
 * statement rather than in a round trip of its own, and the relationship loads as SQLAlchemy's
 * refresh(obj, ["author"]) loads it. Undefined when a parent has no identity, or one of several columns.
 */
function throughParentRows(
  property: RelationshipProperty,
  parents: readonly object[],
  statement: Select<readonly SelectItem[]>,
  parentColumn: Column<unknown>,
  link: Column<unknown>,
): RelationshipLoad | undefined {
  const table = property.parent.table
  const [key, ...more] = property.parent.primaryKey
  const ids = parents.map((parent) => stateOf(parent).identity?.[0])
  if (!key || more.length > 0 || ids.includes(undefined)) return undefined
  // Under a name of its own: the parent's table may be the target's (a user's manager).
  const own = alias(table, "_parent")
  const ownKey = own.columns[table.columns.indexOf(key)] as Column<unknown>
  const ownLinked = own.columns[table.columns.indexOf(parentColumn)] as Column<unknown>
  // The target's rows, or the many-to-many's (already joined to its association table), beside the key.
  const rows = new Select({ ...statement.state, items: [statement.state.items[0] as SelectItem, ownKey] })
  return {
    statement: rows.join(own, ownLinked.eq(link as never)).where(ownKey.in([...new Set(ids)] as never)),
    link: ownKey,
    linkOf: (row) => row[1],
    assign: (rows, links, owners) => group(owners, rows, links, (parent) => stateOf(parent).identity?.[0]),
  }
}

/** Keys bound one by one up to here (readable SQL, exact estimates); more travel as one JSON parameter. */
const MANY_KEYS = 500

function group(
  parents: readonly object[],
  rows: readonly (readonly unknown[])[],
  links: readonly unknown[],
  keyOf: (parent: object) => unknown,
): Loaded {
  // Sets, each object once: a list looked up before each push was quadratic in one parent's children.
  const byKey = new Map<unknown, Set<object>>()
  for (let i = 0; i < rows.length; i++) {
    const key = valueKey(links[i])
    const set = byKey.get(key) ?? new Set()
    byKey.set(key, set.add((rows[i] as readonly unknown[])[0] as object))
  }
  byKey.delete(undefined)
  // A parent that does not know its key (a reference not told it) is left unloaded: its rows were read
  // by the database's key, and none would read as no related row.
  return parents.flatMap((parent) => {
    const key = keyOf(parent)
    return key === undefined ? [] : [[parent, [...(byKey.get(valueKey(key)) ?? [])]] as const]
  })
}

/**
 * Stores loaded relationship values on their parents, as what the database has. Loader options leave
 * alone a relationship the object already has loaded (it may hold unflushed changes); refresh and
 * load overwrite.
 */
export function assignLoaded(property: RelationshipProperty, loaded: Loaded, overwrite = true): void {
  for (const [parent, items] of loaded) {
    const state = stateOf(parent)
    if (!overwrite && loadedOf(state).has(property.key)) continue
    setRelationship(state, property, property.uselist ? items : (items[0] ?? null))
    // The loaded list itself: nothing changes it (the relationship's value is a copy).
    committedCollectionsOf(state).set(property.key, property.uselist ? items : items.slice(0, 1))
    // A loaded one-to-many also tells each child its parent (the many-to-one side), with no query.
    const back = property.direction === "one-to-many" ? property.backPopulates : undefined
    if (!back) continue
    for (const item of items) {
      const child = stateOf(item)
      if (loadedOf(child).has(back)) continue
      setRelationship(child, relationshipOf(child.mapper, back), parent)
      committedCollectionsOf(child).set(back, [parent])
    }
  }
}

/**
 * Gives each row's owner its joined-in many-to-one (unless it has it loaded already) and takes the
 * joined columns off the rows, which then look as the statement before the joins.
 */
export function assignJoined(
  rows: unknown[][],
  joined: readonly JoinedLoad[],
  owner: number,
  overwrite: boolean,
): unknown[][] {
  const here = joined.filter((load) => load.owner === owner)
  if (here.length === 0) return rows
  for (const load of here) {
    // A parent in several rows comes with the same joined object in each: giving it again changes nothing.
    const loaded: [object, object[]][] = []
    for (const row of rows) {
      const parent = row[load.ownerItem] as object
      const target = row[load.item] as object | null
      if (parent) loaded.push([parent, target ? [target] : []])
    }
    assignLoaded(load.property, loaded, overwrite)
  }
  const keep = Math.min(...here.map((load) => load.item))
  return rows.map((row) => row.slice(0, keep))
}
