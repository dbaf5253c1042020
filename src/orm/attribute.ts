// `User.posts`: the class-level handle of a relationship, for joins (`.join(User.posts)`), EXISTS
// operators (`User.posts.any(...)`, `Post.author.has(...)`, `Post.tags.contains(tag)`) and loading.
// It resolves its relationship on first use, when the target model is known.
import { InvalidRequestError } from "../errors.ts"
import { and, type Expression, literalColumn } from "../sql/expression.ts"
import { type Alias, alias } from "../sql/from.ts"
import type { Column } from "../sql/schema/column.ts"
import type { ColumnSpecs, Table } from "../sql/schema/table.ts"
import { select } from "../sql/select.ts"
import { ENTITY, type EntityLike, JOIN_PATH, type JoinHop, type JoinPathLike } from "../sql/select-items.ts"
import { exists } from "../sql/subquery.ts"
import { replaceColumns } from "../sql/traverse.ts"
import { type Mapper, type RelationshipProperty, relationshipOf } from "./mapper.ts"
import { stateOf } from "./state.ts"

type Pairs = readonly (readonly [Column<unknown>, Column<unknown>])[]

export class RelationshipAttribute<Target> {
  /** Phantom: the target instance type. */
  declare readonly targetType: Target
  readonly kind = "relationship_attribute"

  /** Joins the parent to the target: one hop, or two through an association table. */
  declare readonly [JOIN_PATH]: JoinPathLike[typeof JOIN_PATH]

  constructor(
    readonly mapper: Mapper,
    readonly key: string,
    /**
     * The aliased entity it starts from (`boss.posts` of `boss = aliased(User)`): joins, EXISTS and
     * loader options start from the alias's columns and objects, not the model's.
     */
    readonly entity?: EntityLike,
  ) {
    // Defined here rather than as a getter with a computed key in the class body: such a class is not
    // known to be free of side effects, and bundles would keep it whether or not it is used.
    const path: JoinPathLike[typeof JOIN_PATH] = (on, joinHop) => {
      const hops = joinPath(this.property, undefined, this.entity)
      // An extra condition narrows the last hop (the target itself).
      for (const [i, hop] of hops.entries())
        joinHop(on && i === hops.length - 1 ? { ...hop, on: and(hop.on, on) } : hop)
    }
    Object.defineProperty(this, JOIN_PATH, { value: path })
    Object.freeze(this)
  }

  get property(): RelationshipProperty {
    return relationshipOf(this.mapper, this.key)
  }

  /**
   * `EXISTS` a related row (matching `condition`): `User.posts.any(Post.published.eq(true))`. For a
   * collection; `has` is its spelling for a single related object.
   */
  any(condition?: Expression<boolean | null>): Expression<boolean> {
    const property = this.property
    if (!property.uselist) {
      throw new InvalidRequestError(`${this} is not a collection; use .has(...)`)
    }
    return this.existsRelated(condition)
  }

  /** `EXISTS` the related object (matching `condition`): `Post.author.has(User.username.eq("bob"))`. */
  has(condition?: Expression<boolean | null>): Expression<boolean> {
    if (this.property.uselist) throw new InvalidRequestError(`${this} is a collection; use .any(...)`)
    return this.existsRelated(condition)
  }

  /** Whether the collection holds this (persistent) object: `Post.tags.contains(tag)`. */
  contains(object: Target & object): Expression<boolean> {
    const state = stateOf(object)
    const identity = state.identity
    if (!identity) throw new InvalidRequestError(`${state.mapper.name} has no key yet; flush it first`)
    const key = state.mapper.primaryKey.map((column, i) => column.eq(identity[i] as never))
    return this.any(and(...key))
  }

  toString(): string {
    return `${this.mapper.name}.${this.key}`
  }

  private existsRelated(condition: Expression<boolean | null> | undefined): Expression<boolean> {
    const property = this.property
    const table = property.target.table
    // From an aliased entity the parent row has a name of its own: the related rows keep the table's.
    const selfReferential = property.parent.table === table && !this.entity
    if (selfReferential && condition && holdsSubquery(condition)) return this.inRelated(condition)
    // A link from a table to itself names that table on both sides: as SQLAlchemy does, the related
    // rows get an alias, and the condition, written against the model, is moved onto it.
    const target = selfReferential ? alias(table, `${table.name}_1`) : table
    const related =
      condition && target !== table
        ? replaceColumns(condition, (column) =>
            column.parent === table ? columnOf(target, column) : undefined,
          )
        : condition
    const [first, ...rest] = joinPath(property, target, this.entity)
    if (!first) throw new InvalidRequestError(`${this} has no join path`)
    // The first hop's ON clause correlates the subquery with the parent row of the enclosing query.
    let query = select(literalColumn("1")).selectFrom(first.from)
    for (const hop of rest) query = query.join(hop.from, hop.on)
    return exists(query.where(first.on, related))
  }

  /**
   * A link from a table to itself whose condition holds a subquery of its own (a nested any() or has()):
   * `key IN (SELECT ...)` over the related rows under the table's own name. Inside the subquery the name
   * means the related row, as SQL scopes names, so both the condition, written against the model, and
   * the nested subquery's correlation read it; an alias would be the same at every level, and the nested
   * correlation would still name the outer row. NULL keys are left out, so that NOT keeps its meaning.
   */
  private inRelated(condition: Expression<boolean | null>): Expression<boolean> {
    const property = this.property
    const [pair, ...more] = property.pairs
    if (!pair || more.length > 0) {
      throw new InvalidRequestError(
        `${this}: a nested any() or has() over a link of a table to itself needs a one-column key; write it with aliased()`,
      )
    }
    const [, other] = pair
    const own = parentColumn(property, pair[0], this.entity)
    const table = property.target.table
    const secondary = property.secondary
    const related = secondary
      ? select(other).selectFrom(secondary.table).join(table, equal(secondary.pairs))
      : select(other).selectFrom(table)
    const keys = related.where(other.nullable ? other.isNotNull() : undefined, condition)
    const found = own.in(keys as never)
    return own.nullable ? and(own.isNotNull(), found) : found
  }
}

/** Whether an expression holds a subquery (EXISTS, a scalar subquery, IN (SELECT ...)). */
function holdsSubquery(node: Expression<unknown>): boolean {
  if (node.kind === "exists" || node.kind === "scalar_subquery") return true
  if (node.kind === "in_list" && !Array.isArray((node as { items?: unknown }).items)) return true
  return node.children.some(holdsSubquery)
}

/**
 * The joins from the parent (the model's table, or the aliased `entity`'s FROM item) to `target` (the
 * target's table, or an alias of it).
 */
function joinPath(
  property: RelationshipProperty,
  target: Table | Alias<ColumnSpecs> = property.target.table,
  entity?: EntityLike,
): readonly JoinHop[] {
  const toTarget = (pairs: Pairs) => and(...pairs.map(([a, b]) => a.eq(columnOf(target, b) as never)))
  const fromParent: Pairs = property.pairs.map(([own, other]) => [parentColumn(property, own, entity), other])
  const secondary = property.secondary
  const left = entity?.[ENTITY].from ?? property.parent.table
  if (!secondary) return [{ from: target, on: toTarget(fromParent), left }]
  return [
    { from: secondary.table, on: equal(fromParent), left },
    { from: target, on: toTarget(secondary.pairs), left: secondary.table },
  ]
}

/** A column of the relationship's parent table as the aliased entity has it (the same place), or itself. */
function parentColumn(
  property: RelationshipProperty,
  column: Column<unknown>,
  entity?: EntityLike,
): Column<unknown> {
  const at = property.parent.table.columns.indexOf(column)
  return entity?.[ENTITY].columns[at] ?? column
}

/** A table's column as `from` has it: itself, or an alias's copy. */
function columnOf(from: Table | Alias<ColumnSpecs>, column: Column<unknown>): Column<unknown> {
  return from.kind === "alias" ? (from.columns.find((c) => c.key === column.key) ?? column) : column
}

function equal(pairs: Pairs): Expression<boolean> {
  return and(...pairs.map(([a, b]) => a.eq(b as never)))
}
