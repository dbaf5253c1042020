// `relationship<Post[]>("Post", { backPopulates: "author" })`: a link between models, named by the
// target's class name (a thunk would not typecheck across mutually referring models, TS2506) and typed
// by its type argument, as SQLAlchemy's `relationship("Post")` with `Mapped[list["Post"]]`.
import { InvalidRequestError } from "../errors.ts"
import { Expression, Ordering } from "../sql/expression.ts"
import type { Table } from "../sql/schema/table.ts"
import { refuseUnknownOptions } from "../util/known-options.ts"
import { described } from "./described.ts"
import { installLoads } from "./loading.ts"
import { installRelationships } from "./relationships.ts"

/** The cascades the unit of work acts on. */
export type Cascade = "save-update" | "delete" | "delete-orphan"

/**
 * What `cascade` may name, as SQLAlchemy's: its own three, `"all"` (save-update and delete), `"none"`, and
 * `"merge"`, `"refresh-expire"` and `"expunge"`, accepted so that SQLAlchemy's spellings carry over
 * (`merge()`, `refresh()` and `expunge()` here do as the session's methods say, whatever the cascade).
 */
export type CascadeName = Cascade | "all" | "none" | "merge" | "refresh-expire" | "expunge"

const CASCADES: Readonly<Record<CascadeName, readonly Cascade[]>> = {
  "save-update": ["save-update"],
  delete: ["delete"],
  "delete-orphan": ["delete-orphan"],
  all: ["save-update", "delete"],
  none: [],
  merge: [],
  "refresh-expire": [],
  expunge: [],
}

export type Loading = "raise" | "selectin" | "joined"

/** What a collection is ordered by: the target's columns, each alone (ascending) or `.desc()` and so on. */
export type RelationshipOrder = Ordering | Expression<unknown> | readonly (Ordering | Expression<unknown>)[]

export interface RelationshipOptions {
  /** The attribute on the target that points back; both sides are kept in sync in memory. */
  backPopulates?: string
  /** The association table of a many-to-many relationship, or its name in the registry's metadata. */
  secondary?: Table | string
  /**
   * The foreign-key column (attribute key) that links the two, when several could. For a many-to-many
   * whose association table has two keys to one table (`follows(followerId, followedId)` of users), the
   * association column that points at the parent: `following` names `"followerId"`.
   */
  foreignKey?: string
  /** Collection (`true`) or single object (`false`); needed only for self-referential links. */
  uselist?: boolean
  /**
   * Default `["save-update"]`: new objects linked here are saved with this one. `"delete"` deletes
   * children with the parent, `"delete-orphan"` too when unlinked; `"all"` is save-update and delete.
   * SQLAlchemy's spelling works too: `"all, delete-orphan"`. Naming cascades replaces the default, so
   * leave save-update out only to add linked objects yourself: the flush refuses a new one it would not save.
   */
  cascade?: readonly CascadeName[] | string
  /** Let the database's ON DELETE act instead of loading children to delete or unlink them. */
  passiveDeletes?: boolean
  /**
   * Set this many-to-one's foreign key by a second UPDATE after both rows exist, to break a cycle of
   * rows that point at each other (SQLAlchemy's `post_update`). Its column must be nullable.
   */
  postUpdate?: boolean
  /**
   * How the relationship loads by default: `"raise"` (the default) leaves it unloaded, and reading it
   * is an error naming the fix; `"selectin"` and `"joined"` load it with every query of its model, in
   * the query's round trip, as the loader options of the same names do.
   */
  lazy?: Loading
  /**
   * The order the collection loads in, by every loader (options, `lazy`, refresh, load), as SQLAlchemy's
   * `order_by`: columns of the target's table, `[Post.createdAt.desc(), Post.id]`, or a function returning
   * them for a target declared further down (`() => Post.createdAt.desc()`; typed `(): RelationshipOrder =>`
   * in a model ordering its own, which TypeScript cannot infer: TS2506). Without it the order is the
   * database's, which may differ between two reads. Objects pushed in memory stay where they were put
   * until the collection loads again.
   */
  orderBy?: RelationshipOrder | (() => RelationshipOrder)
}

export class RelationshipSpec<T> {
  declare readonly valueType: T
  readonly kind = "relationship"

  constructor(
    readonly target: string,
    readonly options: RelationshipOptions,
  ) {
    Object.freeze(this)
  }
}

/** A relationship to the model named `target`; the type argument is `Target[]` or `Target` (or `| null`). */
export function relationship<T>(target: string, options: RelationshipOptions = {}): RelationshipSpec<T> {
  checkOptions(target, options)
  installRelationships()
  if (options.lazy === "selectin" || options.lazy === "joined") installLoads()
  const cascade = options.cascade === undefined ? undefined : cascadesOf(options.cascade, target)
  return new RelationshipSpec<T>(target, cascade ? { ...options, cascade } : options)
}

const OPTIONS: Readonly<Record<keyof RelationshipOptions, true>> = {
  backPopulates: true,
  secondary: true,
  foreignKey: true,
  uselist: true,
  cascade: true,
  passiveDeletes: true,
  postUpdate: true,
  lazy: true,
  orderBy: true,
}
const LOADINGS: readonly Loading[] = ["raise", "selectin", "joined"]

/**
 * Refuses an option it does not know (SQLAlchemy's `back_populates`, a typo), which would otherwise be
 * ignored: a relationship that does not back-populate, say, with nothing to tell why.
 */
function checkOptions(target: string, options: RelationshipOptions): void {
  const where = `relationship("${target}")`
  refuseUnknownOptions(where, options, Object.keys(OPTIONS))
  if (options.lazy !== undefined && !LOADINGS.includes(options.lazy)) {
    throw new InvalidRequestError(
      `${where}: lazy is one of ${LOADINGS.join(", ")} (nothing loads when read: there is no lazy "select"), got ${String(options.lazy)}`,
    )
  }
  const { orderBy } = options
  if (orderBy !== undefined && typeof orderBy !== "function") orderingsOf(orderBy, where)
}

/** What a column's name given as text is told. */
const NAME_THE_COLUMN =
  ' (name the column itself: Post.createdAt, not "createdAt"; one named like a class\'s own property is Post.c.name)'

/**
 * The orderings an `orderBy` names (a function's are read when the relationship resolves, its target
 * known): anything but expressions and orderings is refused, here rather than when a load compiles it.
 */
export function orderingsOf(orderBy: unknown, where: string): Ordering[] {
  const items = Array.isArray(orderBy) ? orderBy : [orderBy]
  return items.map((item) => {
    if (item instanceof Ordering) return item
    if (item instanceof Expression) return new Ordering(item, "ASC")
    throw new InvalidRequestError(
      `${where}: orderBy is the target's columns, each alone or with .asc()/.desc() (or a function returning them, for a model declared later), got ${described(item)}${typeof item === "string" ? NAME_THE_COLUMN : ""}`,
    )
  })
}

/** The cascades a `cascade` option names, as a list or as SQLAlchemy's comma-separated text. */
function cascadesOf(option: readonly CascadeName[] | string, target: string): Cascade[] {
  // As SQLAlchemy reads the text: empty items are skipped, so "" (and "none") is no cascade at all.
  const names = typeof option === "string" ? option.split(",").flatMap((name) => name.trim() || []) : option
  if (!Array.isArray(names)) {
    throw new InvalidRequestError(
      `relationship("${target}"): cascade is a list of cascade names or their comma-separated text, got ${String(option)}`,
    )
  }
  const found = new Set<Cascade>()
  for (const name of names) {
    const cascades = Object.hasOwn(CASCADES, name) ? CASCADES[name as CascadeName] : undefined
    if (!cascades) {
      throw new InvalidRequestError(
        `relationship("${target}"): unknown cascade "${String(name)}"; it may name ${Object.keys(CASCADES).join(", ")}`,
      )
    }
    for (const cascade of cascades) found.add(cascade)
  }
  return [...found]
}
