// Loader options: `select(User).options(selectinload(User.posts).selectinload(Post.comments))`.
// Whatever the options, a query and all its loads cost one round trip:
// - selectinload: each level is a query for the children of the level above, selected by the keys
//   that level holds inside the same statement (never by keys read back): the query and every level
//   are one statement (./json-load.ts). Rows are never multiplied, LIMIT keeps its meaning, and each
//   level is a plain indexed lookup: the plan PostgreSQL and SQLite do best on large tables.
// - joinedload: a many-to-one (or one-to-one) joins its parent into the statement that loads its
//   children (LEFT OUTER JOIN of an alias), saving a statement. A collection is not joined: a join
//   would multiply the rows and break LIMIT, so joinedload of a collection loads as selectinload does,
//   in the same round trip.
// Relationships declared `lazy: "selectin"` load by default; `raiseload(...)` turns a default off for
// one query. Everything else stays unloaded, and reading it raises NotLoadedError.
import { InvalidRequestError } from "../errors.ts"
import { and, type Expression } from "../sql/expression.ts"
import type { Column } from "../sql/schema/column.ts"
import { Select } from "../sql/select.ts"
import { ENTITY, type EntityLike, isEntity, type SelectItem } from "../sql/select-items.ts"
import { cached } from "../util/cached.ts"
import { type AliasedModel, aliased } from "./aliased.ts"
import type { RelationshipAttribute } from "./attribute.ts"
import { jsonLoad } from "./json-load.ts"
import { landLoads } from "./land-levels.ts"
import { type Mapper, type ModelConstructor, type RelationshipProperty, relationshipOf } from "./mapper.ts"
import { mapperOf } from "./mapper-of.ts"
import { plugins } from "./plugins.ts"
import { type RelationshipLoad, relationshipLoad } from "./relationship-query.ts"

/**
 * Lets the session load relationships with its queries: called by whatever can ask for a load (a
 * loader option, a `lazy` relationship), so an app that never loads one carries none of this.
 */
export function installLoads(): void {
  plugins.loads ??= { plan: planLoading, json: jsonLoad, land: landLoads }
}

type Strategy = "selectin" | "joined" | "raise"

export class LoaderOption {
  readonly kind = "loader"

  constructor(
    /** The relationships from the queried entity down to the one this option loads. */
    readonly path: readonly RelationshipAttribute<unknown>[],
    /** How the last relationship of the path loads; `"raise"` keeps it unloaded, whatever its default. */
    readonly strategy: Strategy = "selectin",
  ) {
    installLoads()
    Object.freeze(this)
  }

  /** Also loads a relationship of the objects this option loads: `.selectinload(Post.comments)`. */
  selectinload(attribute: RelationshipAttribute<unknown>): LoaderOption {
    return new LoaderOption([...this.path, attribute])
  }

  /** Also loads a many-to-one of the objects this option loads by joining it in: `.joinedload(Comment.author)`. */
  joinedload(attribute: RelationshipAttribute<unknown>): LoaderOption {
    return new LoaderOption([...this.path, attribute], "joined")
  }

  /** Keeps a relationship of the objects this option loads unloaded: `.raiseload(Post.comments)`. */
  raiseload(attribute: RelationshipAttribute<unknown>): LoaderOption {
    return new LoaderOption([...this.path, attribute], "raise")
  }
}

/** Loads a relationship of the query's objects, in the same request as the query. */
export function selectinload(attribute: RelationshipAttribute<unknown>): LoaderOption {
  return new LoaderOption([attribute])
}

/** Loads a many-to-one by joining it into the query (a collection loads as with selectinload). */
export function joinedload(attribute: RelationshipAttribute<unknown>): LoaderOption {
  return new LoaderOption([attribute], "joined")
}

/**
 * SQLAlchemy's `subqueryload`: children selected by a subquery of the parent query. That is how
 * selectinload already loads here (never by keys read back), so the two are one strategy.
 */
export const subqueryload = selectinload

/** Keeps a relationship unloaded for this query even when it is declared `lazy: "selectin"`. */
export function raiseload(attribute: RelationshipAttribute<unknown>): LoaderOption {
  return new LoaderOption([attribute], "raise")
}

/** A level of loading: which relationship, the query for it, and the level it hangs from. */
export interface LoadLevel {
  readonly property: RelationshipProperty
  readonly load: RelationshipLoad
  /** Index of the parent level in the plan; -1 for the query's own objects. */
  readonly parent: number
  /** The relationships from the query down to this level, as `/Post.comments/Comment.author`. */
  readonly path: string
  /** The query's entity the level descends from: its index among the select's items. */
  readonly item: number
}

/** A many-to-one joined into the statement of the query (`owner` -1) or of a level. */
export interface JoinedLoad {
  readonly property: RelationshipProperty
  readonly owner: number
  /** Index of the owning objects' item, and of the joined entity's item, in that statement. */
  readonly ownerItem: number
  readonly item: number
}

type Query = Select<readonly SelectItem[]>

export interface LoadPlan {
  /** The query, with the joins of its joined loads. */
  readonly statement: Query
  readonly levels: LoadLevel[]
  readonly joined: JoinedLoad[]
}

/** The statements a query with loader options runs as, all sent in one round trip. */
export function planLoading(query: Query, options: readonly unknown[]): LoadPlan {
  const joinedPaths: { path: string; property: RelationshipProperty; item: number }[] = []
  // An outer join would change what the query means under FOR UPDATE, GROUP BY or DISTINCT: its
  // many-to-ones then load as their own level, in the same round trip.
  const { forUpdate, groupBy, having, distinct } = query.state
  const rootJoinable = !forUpdate && groupBy.length === 0 && having.length === 0 && !distinct
  const levels = planLoads(query, options, (path, property, item) => {
    if (property.uselist || property.secondary) return false
    if (!rootJoinable && path.lastIndexOf("/") === 0) return false
    joinedPaths.push({ path, property, item })
    return true
  })
  if (joinedPaths.length === 0) return { statement: query, levels, joined: [] }
  const statements = [query, ...levels.map((level) => level.load.statement)]
  const joined: JoinedLoad[] = []
  for (const { path, property, item } of joinedPaths) {
    const owner = ownerOf(path, item, levels)
    const source = statements[owner + 1] as Query
    // The query's entity the option names (any of them); a level's own objects come first in its rows.
    const ownerItem = owner === -1 ? item : 0
    const ownerColumns = (source.state.items[ownerItem] as EntityLike)[ENTITY].columns
    // Named by position, so that a statement of this shape always reads the same (./json-load.ts).
    const target = aliased(
      property.target.cls as never,
      `_j${joined.length}`,
    ) as AliasedModel<ModelConstructor> & SelectItem
    statements[owner + 1] = new Select({
      ...source.state,
      items: [...source.state.items, target],
    }).outerJoin(target, joinCondition(property, ownerColumns, target))
    joined.push({ property, owner, ownerItem, item: source.state.items.length })
  }
  const withJoins = levels.map((level, i) => ({
    ...level,
    load: { ...level.load, statement: statements[i + 1] as Query },
  }))
  return { statement: statements[0] as Query, levels: withJoins, joined }
}

/**
 * owner.fk = alias.key for each column pair of a many-to-one, with the owner's columns as the query
 * names them (an aliased or subquery owner has columns of its own, in its table's order).
 */
function joinCondition(
  property: RelationshipProperty,
  ownerColumns: readonly Column<unknown>[],
  target: AliasedModel<ModelConstructor>,
): Expression<boolean> {
  const columns = target.c as unknown as Record<string, Expression<unknown>>
  const tableColumns = property.parent.table.columns
  return and(
    ...property.pairs.map(([own, other]) => {
      const ownColumn = ownerColumns[tableColumns.indexOf(own)] ?? own
      return ownColumn.eq(columns[other.key] as never)
    }),
  )
}

/** The level whose objects own a joined path from an entity: the level of the path without its last hop. */
function ownerOf(path: string, item: number, levels: readonly LoadLevel[]): number {
  const parentPath = path.slice(0, path.lastIndexOf("/"))
  if (parentPath === "") return -1
  return levels.findIndex((level) => level.path === parentPath && level.item === item)
}

/**
 * Every level the options and the relationships' `lazy: "selectin"` defaults ask for, prefixes shared:
 * `a.b` and `a.c` load `a` once. `joinHere` may take a joined option's last hop off the levels.
 */
export function planLoads(
  query: Query,
  options: readonly unknown[],
  joinHere: (path: string, property: RelationshipProperty, item: number) => boolean = () => false,
): LoadLevel[] {
  const loaders = options.filter((option): option is LoaderOption => option instanceof LoaderOption)
  const raised = new Set(loaders.filter((o) => o.strategy === "raise").map((o) => pathKey(o.path)))
  const levels: LoadLevel[] = []
  // Levels and joins by entity and path: the same path from two entities of one model is two loads.
  const byPath = new Map<string, number>()
  const add = (path: string, property: RelationshipProperty, parent: number, item: number): number => {
    const known = byPath.get(`${item}${path}`)
    if (known !== undefined) return known
    levels.push({ property, load: loadForAnyParents(property), parent, path, item })
    byPath.set(`${item}${path}`, levels.length - 1)
    return levels.length - 1
  }
  const joined = new Set<string>()
  const join = (path: string, property: RelationshipProperty, item: number) => {
    if (joined.has(`${item}${path}`)) return true
    if (!joinHere(path, property, item)) return false
    joined.add(`${item}${path}`)
    return true
  }

  for (const option of loaders) {
    const item = optionItem(query, option)
    if (option.strategy === "raise") continue
    let parent = -1
    let path = ""
    for (const [i, attribute] of option.path.entries()) {
      path += `/${attribute}`
      const last = i === option.path.length - 1
      const free = !byPath.has(`${item}${path}`)
      // As for a default: a joined object has no level, so one whose model loads more by default (its
      // own lazy "selectin" or "joined" relationships) loads as a level, whose defaults are then loaded.
      const joinable = free && !loadsMore(attribute.property)
      if (last && option.strategy === "joined" && joinable && join(path, attribute.property, item)) break
      parent = add(path, attribute.property, parent, item)
    }
  }
  // Defaults: each loaded level's `lazy: "selectin"` and `lazy: "joined"` relationships, not back
  // along the way it came.
  const visit = (mapper: Mapper, parent: number, path: string, item: number, came?: RelationshipProperty) => {
    for (const property of loadedByDefault(mapper)) {
      const lazy = property.spec.options.lazy
      if (isBackOf(property, came)) continue
      const childPath = `${path}/${mapper.cls.name}.${property.key}`
      if (raised.has(childPath) || byPath.has(`${item}${childPath}`) || seenOnPath(path, property)) continue
      // A joined object has no level of its own: one whose model loads more by default gets a level.
      if (lazy === "joined" && !loadsMore(property) && join(childPath, property, item)) continue
      const level = add(childPath, property, parent, item)
      visit(property.target, level, childPath, item, property)
    }
  }
  // The options' levels exist now; the defaults' levels are visited as they are made, for every
  // entity the query selects (as SQLAlchemy applies a relationship's default loader to each).
  const explicit = levels.slice()
  for (const [item, entity] of query.state.items.entries()) {
    if (isEntity(entity)) visit(mapperOf(entity), -1, "", item)
  }
  for (const [i, level] of explicit.entries()) {
    visit(level.property.target, i, level.path, level.item, level.property)
  }
  return levels
}

/**
 * A relationship's load for any parents (each level adds the keys of the level above), made once per
 * relationship: relationships do not change once resolved.
 */
function loadForAnyParents(property: RelationshipProperty): RelationshipLoad {
  return cached(loadsForAnyParents, property, () => relationshipLoad(property))
}

const loadsForAnyParents = new WeakMap<RelationshipProperty, RelationshipLoad>()

/** Whether the target of a relationship has default loads of its own (other than the way back). */
function loadsMore(property: RelationshipProperty): boolean {
  return loadedByDefault(property.target).some((other) => !isBackOf(other, property))
}

/**
 * A mapper's `lazy: "selectin"` and `lazy: "joined"` relationships, resolved; the others are not: a
 * query reads their specs only, so it never needs their target models known. Resolving them all made
 * `select(Post)` fail on `Post.tags` naming a `Tag` the registry had not learned yet (no registerModels(),
 * the class not used yet) once any code of the app had installed the loaders (a selectinload anywhere),
 * and work without.
 */
function loadedByDefault(mapper: Mapper): readonly RelationshipProperty[] {
  // Worked out once per model: every query's plan asks, and a model's relationships never change.
  return cached(defaultLoads, mapper, () =>
    [...mapper.relationshipSpecs]
      .filter(([, spec]) => spec.options.lazy === "selectin" || spec.options.lazy === "joined")
      .map(([key]) => relationshipOf(mapper, key)),
  )
}

const defaultLoads = new WeakMap<Mapper, readonly RelationshipProperty[]>()

/**
 * The query's entity an option's path starts from, as SQLAlchemy matches an option to a root entity; an
 * option that starts from none, or whose path breaks, is refused rather than loading the wrong objects.
 */
function optionItem(query: Query, option: LoaderOption): number {
  const [start] = option.path
  const items = query.state.items
  const ofModel = items.flatMap((item, i) =>
    isEntity(item) && mapperOf(item) === start?.property.parent ? [i] : [],
  )
  // An alias's attribute (`boss.posts`) starts from that alias; the model's (`User.posts`) from the model
  // itself, or from its only alias when the query selects no other (`select(aliased(User, subquery))`).
  const item = start?.entity
    ? items.indexOf(start.entity as SelectItem)
    : (ofModel.find((i) => items[i] === start?.property.parent.cls) ??
      (ofModel.length === 1 ? ofModel[0] : -1))
  if (item === undefined || item < 0) {
    throw new InvalidRequestError(
      ofModel.length > 1 && !start?.entity
        ? `${describe(option)} could apply to ${ofModel.length} aliases of ${start?.mapper.name} in ${entityNames(query)}: start it from one of them (selectinload(alias.${start?.key}))`
        : `${describe(option)} does not apply to any entity of ${entityNames(query)}: start its path from one of them`,
    )
  }
  for (const [i, attribute] of option.path.entries()) {
    const from = option.path[i - 1]?.property.target
    if (from && (attribute.property.parent !== from || attribute.entity)) {
      throw new InvalidRequestError(
        attribute.entity
          ? `${describe(option)}: an aliased entity's ${attribute} can only start a path; continue it with ${attribute}`
          : `${describe(option)}: ${attribute} does not load from ${from.name}`,
      )
    }
  }
  return item
}

function describe(option: LoaderOption): string {
  return `${option.strategy}load(${option.path.join(", ")})`
}

function entityNames(query: Query): string {
  const names = query.state.items.filter(isEntity).map((item) => mapperOf(item).name)
  return `select(${names.join(", ")})`
}

function pathKey(path: readonly RelationshipAttribute<unknown>[]): string {
  return path.map((attribute) => `/${attribute}`).join("")
}

function isBackOf(property: RelationshipProperty, came: RelationshipProperty | undefined): boolean {
  return came !== undefined && came.backPopulates === property.key && came.target === property.parent
}

/** A relationship already loaded higher up this path: defaults must not recurse around a cycle. */
function seenOnPath(path: string, property: RelationshipProperty): boolean {
  return path.split("/").includes(`${property.parent.cls.name}.${property.key}`)
}
