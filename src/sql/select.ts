// `select(...)`: an immutable SELECT builder. Every method returns a new statement; the state is frozen.
import { InvalidRequestError } from "../errors.ts"
import { CompoundSelect, type SetOperator } from "./compound.ts"
import {
  asOrdering,
  type Expression,
  expressionOf,
  type Ordering,
  type SubqueryTarget,
} from "./expression.ts"
import {
  Cte,
  type FromClause,
  inferOnClause,
  Join,
  type JoinType,
  type NamedColumns,
  Subquery,
  tablesOf,
} from "./from.ts"
import { rowCount } from "./row-count.ts"
import {
  type CoreRowOfItems,
  type EntityLike,
  fromOf,
  impliedFroms,
  isJoinPath,
  JOIN_PATH,
  type JoinPathLike,
  type OuterJoined,
  type RowOfItems,
  type SelectItem,
} from "./select-items.ts"
import { Statement } from "./statement.ts"
import { Exists, firstItemType, outputColumns, ScalarSubquery } from "./subquery.ts"
import { columnParents } from "./traverse.ts"

export interface ForUpdate {
  readonly mode: "UPDATE" | "SHARE"
  readonly nowait: boolean
  readonly skipLocked: boolean
}

export interface SelectState {
  readonly items: readonly SelectItem[]
  /** Explicit FROM items, joins included; tables referenced by the items are added when compiling. */
  readonly froms: readonly FromClause[]
  readonly where: readonly Expression<unknown>[]
  readonly groupBy: readonly Expression<unknown>[]
  readonly having: readonly Expression<unknown>[]
  readonly orderBy: readonly Ordering[]
  readonly limit?: number | Expression<number> | undefined
  readonly offset?: number | Expression<number> | undefined
  readonly distinct: boolean
  readonly forUpdate?: ForUpdate
  /** Options for whoever executes the select (the ORM's loader strategies); Core ignores them. */
  readonly options?: readonly unknown[]
}

type Condition = Expression<boolean | null> | undefined

export class Select<Items extends readonly SelectItem[] = readonly SelectItem[]>
  extends Statement
  implements SubqueryTarget
{
  readonly kind = "select"
  declare readonly rowType: RowOfItems<Items>
  /** Phantom: the rows Core gives (entities as arrays of column values). */
  declare readonly coreRowType: CoreRowOfItems<Items>

  constructor(readonly state: SelectState) {
    super()
    Object.freeze(this)
  }

  /** Adds conditions, ANDed with the ones already there; `undefined` ones are skipped. */
  where(...conditions: Condition[]): Select<Items> {
    const added = conditions.filter((c): c is Expression<boolean | null> => c !== undefined)
    return this.#changed({ where: [...this.state.where, ...added] })
  }

  /** Inner join onto the FROM clause; `on` is inferred from the one foreign key between them if omitted. */
  join(target: FromClause | EntityLike | JoinPathLike, on?: Expression<boolean | null>): Select<Items> {
    return this.#joined(target, on, "INNER")
  }

  /** LEFT OUTER JOIN: the joined entity or table may be missing from a row, so it is typed `| null`. */
  outerJoin<J extends FromClause | EntityLike | JoinPathLike>(
    target: J,
    on?: Expression<boolean | null>,
  ): Select<OuterJoined<Items, J>> {
    return this.#joined(target, on, "LEFT") as unknown as Select<OuterJoined<Items, J>>
  }

  /** FULL OUTER JOIN: either side may be missing from a row, so every item is typed `| null`. */
  fullJoin(
    target: FromClause | EntityLike | JoinPathLike,
    on?: Expression<boolean | null>,
  ): Select<OuterJoined<Items, unknown>> {
    return this.#joined(target, on, "FULL") as unknown as Select<OuterJoined<Items, unknown>>
  }

  /** Sets the FROM items explicitly, as SQLAlchemy's `select_from`. */
  selectFrom(...froms: (FromClause | EntityLike)[]): Select<Items> {
    return this.#changed({ froms: [...this.state.froms, ...froms.map(fromOf)] })
  }

  orderBy(...items: (Ordering | Expression<unknown>)[]): Select<Items> {
    const orderings = items.map(asOrdering)
    return this.#changed({ orderBy: [...this.state.orderBy, ...orderings] })
  }

  groupBy(...expressions: Expression<unknown>[]): Select<Items> {
    return this.#changed({ groupBy: [...this.state.groupBy, ...expressions] })
  }

  having(...conditions: Condition[]): Select<Items> {
    const added = conditions.filter((c): c is Expression<boolean | null> => c !== undefined)
    return this.#changed({ having: [...this.state.having, ...added] })
  }

  /** At most `count` rows; `undefined` (or null) for no limit. */
  limit(count: number | Expression<number> | undefined): Select<Items> {
    return this.#changed({ limit: rowCount("limit", count) })
  }

  /** Skips `count` rows; `undefined` (or null) for none. */
  offset(count: number | Expression<number> | undefined): Select<Items> {
    return this.#changed({ offset: rowCount("offset", count) })
  }

  distinct(): Select<Items> {
    return this.#changed({ distinct: true })
  }

  /** Execution options, such as the ORM's loaders: `.options(selectinload(User.posts))`. */
  options(...options: unknown[]): Select<Items> {
    return this.#changed({ options: [...(this.state.options ?? []), ...options] })
  }

  /** `FOR UPDATE` (or `FOR SHARE`): PostgreSQL only; SQLite locks the whole database instead. */
  forUpdate(options: { share?: boolean; nowait?: boolean; skipLocked?: boolean } = {}): Select<Items> {
    return this.#changed({
      forUpdate: {
        mode: options.share ? "SHARE" : "UPDATE",
        nowait: options.nowait === true,
        skipLocked: options.skipLocked === true,
      },
    })
  }

  /** Adds items to the select list. */
  addColumns<const More extends readonly SelectItem[]>(...items: More): Select<[...Items, ...More]> {
    return new Select({ ...this.state, items: [...this.state.items, ...items] })
  }

  /** This select as a FROM item: `(SELECT ...) AS name` (unnamed: `anon_<n>`), its columns typed in `.c`. */
  subquery(name?: string): Subquery<NamedColumns<Items>> {
    return new Subquery(this, name, outputColumns(this.state.items))
  }

  /**
   * This select as `WITH name AS (...)` (unnamed: `anon_<n>`); for a recursive CTE, continue with
   * `.unionAll(...)` on it.
   */
  cte(name?: string, options: { recursive?: boolean } = {}): Cte<NamedColumns<Items>> {
    return new Cte(this, name, outputColumns(this.state.items), options.recursive === true)
  }

  /** `(SELECT x ...)` as a value; the select should return one column and at most one row. */
  scalarSubquery(): Expression<RowOfItems<Items>[0] | null> {
    return new ScalarSubquery(this, firstItemType(this.state.items))
  }

  /** `EXISTS (SELECT ...)`. */
  exists(): Expression<boolean> {
    return new Exists(this)
  }

  union(...others: Select<Items>[]): CompoundSelect<Items> {
    return this.#compound("UNION", others)
  }

  unionAll(...others: Select<Items>[]): CompoundSelect<Items> {
    return this.#compound("UNION ALL", others)
  }

  intersect(...others: Select<Items>[]): CompoundSelect<Items> {
    return this.#compound("INTERSECT", others)
  }

  except(...others: Select<Items>[]): CompoundSelect<Items> {
    return this.#compound("EXCEPT", others)
  }

  #compound(operator: SetOperator, others: Select<Items>[]): CompoundSelect<Items> {
    return new CompoundSelect<Items>({ operator, selects: [this, ...others], orderBy: [] })
  }

  #joined(
    target: FromClause | EntityLike | JoinPathLike,
    on: Expression<boolean | null> | undefined,
    type: JoinType,
    parent?: FromClause,
  ): Select<Items> {
    if (isJoinPath(target)) {
      // A relationship: one hop, or two through an association table, each with its ON clause.
      let joined: Select<Items> = this
      target[JOIN_PATH](on, (hop) => {
        joined = joined.#joined(hop.from, hop.on, type, hop.left)
      })
      return joined
    }
    const right = fromOf(target)
    let froms = this.state.froms.length > 0 ? this.state.froms : impliedFroms(this.state.items)
    // A relationship joins from its parent, a FROM item of its own if none holds it yet
    // (`select(Post).join(User.posts)` is `FROM users JOIN posts`), as SQLAlchemy's does.
    if (parent && !froms.flatMap(tablesOf).includes(parent as never)) froms = [...froms, parent]
    const left = on ? leftSideOf(froms, right, on) : froms[0]
    if (!left) {
      throw new InvalidRequestError("Nothing to join onto: call selectFrom(...) first")
    }
    const join = new Join(left, right, on ?? inferOnClause(left, right), type)
    const joined = new Set<unknown>(tablesOf(join))
    // The join takes its left side's place; the items it now holds leave theirs.
    const placed = froms.map((from) => (from === left ? join : from))
    return this.#changed({ froms: placed.filter((from) => from === join || !joined.has(from)) })
  }

  #changed(changes: Partial<SelectState>): Select<Items> {
    return new Select<Items>(Object.freeze({ ...this.state, ...changes }))
  }
}

/** `select(User.id, User.username)` rows are `[number, string]`; `select(users)` rows are objects. */
export function select<const Items extends readonly SelectItem[]>(...items: Items): Select<Items> {
  return new Select<Items>(
    Object.freeze({
      // A string (SQL, or a model's name) or another plain value failed deep in the compiler.
      items: Object.freeze(items.map((item) => (Object(item) === item ? item : expressionOf(item)))),
      froms: [],
      where: [],
      groupBy: [],
      having: [],
      orderBy: [],
      distinct: false,
    }),
  )
}

/**
 * The FROM item a join with an ON clause starts from: the one the clause names besides the target (a
 * relationship's parent, say), else the first. As in SQLAlchemy, more than one is ambiguous.
 */
function leftSideOf(
  froms: readonly FromClause[],
  right: FromClause,
  on: Expression<unknown>,
): FromClause | undefined {
  const named = new Set<unknown>(columnParents([on]))
  const rightSide = new Set<unknown>(tablesOf(right))
  const candidates = froms.filter(
    (from) => from !== right && tablesOf(from).some((t) => named.has(t) && !rightSide.has(t)),
  )
  if (candidates.length > 1) {
    throw new InvalidRequestError(
      "The ON clause names several FROM items to join from: selectFrom(left) first",
    )
  }
  return candidates[0] ?? froms[0]
}
