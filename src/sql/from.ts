// What a FROM clause is made of besides tables: aliases, subqueries, CTEs and joins.
import { InvalidRequestError } from "../errors.ts"
import type { ExpressionCompiler } from "./compiler/expression-compiler.ts"
import type { HasTable } from "./dml-target.ts"
import { and, type Expression, type Label, type SubqueryTarget } from "./expression.ts"
import { Column, type ColumnParent } from "./schema/column.ts"
import type { ColumnSpecs, Table, TableColumns } from "./schema/table.ts"
import type { SqlType } from "./types.ts"

export type FromClause = Table | Alias<ColumnSpecs> | Subquery | Cte | Join

/** A table under another name, for self-joins: `const parent = alias(categories, "parent")`. */
export class Alias<S extends ColumnSpecs> implements ColumnParent {
  readonly kind = "alias"
  readonly c: TableColumns<S>
  readonly columns: readonly Column<unknown>[]

  constructor(
    readonly target: Table<S>,
    readonly name: string,
  ) {
    this.columns = Object.freeze(
      target.columns.map((col) => new Column(col.key, col.name, col.type, this, col.spec)),
    )
    this.c = Object.freeze(Object.fromEntries(this.columns.map((col) => [col.key, col]))) as TableColumns<S>
    Object.freeze(this)
  }

  get qualifier(): string {
    return this.name
  }
}

export function alias<S extends ColumnSpecs>(table: Table<S>, name: string): Alias<S> {
  return new Alias(table, name)
}

/** The output columns of a select, as (name, type) pairs: what a subquery or CTE exposes. */
export interface OutputColumn {
  readonly name: string
  readonly type: SqlType<unknown>
}

type ItemName<I> = I extends Column<unknown, infer K> ? K : I extends Label<unknown, infer N> ? N : never

/**
 * Typed `.c` of a subquery: one column per named select item (a column's key or a label's name), and
 * the columns of each entity or table selected whole under their keys (a key taken by an earlier item is
 * `key_1` at run time, and not typed).
 */
export type NamedColumns<Items extends readonly unknown[]> = {
  readonly [I in Items[number] as ItemName<I>]: Column<I extends Expression<infer T> ? T : never>
} & WholeColumns<Items[number]>

/** The columns of the entities and tables among select items, as one object type. */
type WholeColumns<I> = (I extends unknown ? (columns: ColumnsOfWhole<I>) => void : never) extends (
  columns: infer All,
) => void
  ? All
  : never

type ColumnsOfWhole<I> =
  I extends HasTable<infer S>
    ? TableColumns<S>
    : I extends { readonly c: infer C; readonly entityType: unknown }
      ? C
      : I extends Table<infer S>
        ? TableColumns<S>
        : I extends Alias<infer S>
          ? TableColumns<S>
          : unknown

/** How many subqueries and CTEs were made without a name: the next one's is `anon_<count + 1>`. */
let anonymous = 0

abstract class DerivedTable<C> implements ColumnParent {
  abstract readonly kind: "subquery" | "cte"
  // Declared, not defined: the constructor sets them, and field definitions would be bytes in every bundle.
  declare readonly c: C
  declare readonly columns: readonly Column<unknown>[]

  constructor(
    // SQLAlchemy names an unnamed one anon_1, anon_2 per statement when it compiles; a name of its own,
    // given once, costs the read path less and is unique in any statement all the same.
    readonly name = `anon_${++anonymous}`,
    output: readonly OutputColumn[],
  ) {
    this.columns = Object.freeze(output.map((col) => new Column(col.name, col.name, col.type, this)))
    this.c = Object.freeze(Object.fromEntries(this.columns.map((col) => [col.key, col]))) as C
  }

  get qualifier(): string {
    return this.name
  }
}

/** `(SELECT ...) AS name` in a FROM clause. */
export class Subquery<C = Record<string, Column<unknown>>> extends DerivedTable<C> {
  readonly kind = "subquery"
  constructor(
    readonly select: SubqueryTarget,
    name: string | undefined,
    output: readonly OutputColumn[],
  ) {
    super(name, output)
    Object.freeze(this)
  }
}

/** A common table expression: `WITH name AS (SELECT ...)`, recursive when built with `unionAll`. */
export class Cte<C = Record<string, Column<unknown>>> extends DerivedTable<C> {
  readonly kind = "cte"
  constructor(
    readonly select: SubqueryTarget,
    name: string | undefined,
    output: readonly OutputColumn[],
    readonly recursive: boolean,
    /** The recursive part: selects that refer to this CTE by its columns, after UNION [ALL]. */
    readonly recursion?: {
      readonly operator: "UNION" | "UNION ALL"
      readonly selects: readonly SubqueryTarget[]
    },
    /** For a recursive continuation (`unionAll`), the CTE it continues: the same CTE, not another. */
    readonly restates?: Cte<C>,
  ) {
    super(name, output)
    Object.freeze(this)
  }

  /**
   * Its definition in the WITH clause when it is not `name AS (sql)`: a load's names its columns and is
   * MATERIALIZED (../orm/json-load.ts). Declared only, so that a bundle without loads carries neither.
   */
  definition?(compiler: ExpressionCompiler, sql: string): string

  /**
   * `base UNION ALL recursive`: the recursive select joins this CTE by its `.c` columns.
   * `const tree = select(...).cte("tree", { recursive: true }); tree.unionAll(select(...).join(tree, ...))`
   */
  unionAll(...selects: SubqueryTarget[]): Cte<C> {
    return this.#continued("UNION ALL", selects)
  }

  union(...selects: SubqueryTarget[]): Cte<C> {
    return this.#continued("UNION", selects)
  }

  #continued(operator: "UNION" | "UNION ALL", selects: SubqueryTarget[]): Cte<C> {
    const earlier = this.recursion?.selects ?? []
    const output = this.columns.map((col) => ({ name: col.name, type: col.type }))
    const recursion = { operator, selects: [...earlier, ...selects] }
    return new Cte<C>(this.select, this.name, output, true, recursion, this.restates ?? this)
  }
}

export type JoinType = "INNER" | "LEFT" | "FULL"

export class Join {
  readonly kind = "join"
  constructor(
    readonly left: FromClause,
    readonly right: FromClause,
    readonly on: Expression<unknown>,
    readonly type: JoinType,
  ) {
    Object.freeze(this)
  }
}

/** The FROM items a FROM item is built from: itself, or both sides of a join, recursively. */
export function tablesOf(from: FromClause): Exclude<FromClause, Join>[] {
  return from.kind === "join" ? [...tablesOf(from.left), ...tablesOf(from.right)] : [from]
}

/** The ON clause from the one foreign key between `right` and a table of `left`, either direction. */
export function inferOnClause(left: FromClause, right: FromClause): Expression<boolean> {
  const [target] = tablesOf(right).filter(isTableLike)
  const candidates: Expression<boolean>[] = []
  if (target) {
    for (const source of tablesOf(left).filter(isTableLike)) {
      candidates.push(...foreignKeyConditions(source, target), ...foreignKeyConditions(target, source))
    }
  }
  if (candidates.length === 1) return candidates[0] as Expression<boolean>
  const names = `${describe(left)} and ${describe(right)}`
  throw new InvalidRequestError(
    `Cannot infer the ON clause: ${candidates.length === 0 ? "no foreign key links" : "several foreign keys link"} ${names}; pass it: .join(target, a.c.id.eq(b.c.aId))`,
  )
}

function foreignKeyConditions(
  from: Table | Alias<ColumnSpecs>,
  to: Table | Alias<ColumnSpecs>,
): Expression<boolean>[] {
  const fromTable = from.kind === "alias" ? from.target : from
  const toTable = to.kind === "alias" ? to.target : to
  return fromTable.foreignKeys
    .filter((fk) => fk.referencedTable === toTable.name)
    .map((fk) => {
      const pairs = fk.columns.map((key, i) => {
        const local = from.columns.find((c) => c.key === key) as Column<unknown>
        const remoteName = fk.referencedColumns[i] as string
        const remote = to.columns.find((c) => c.name === remoteName || c.key === remoteName)
        if (!remote)
          throw new InvalidRequestError(
            `Foreign key ${fk.name ?? `(${fk.columns})`} of ${fromTable.name} references a missing column ${toTable.name}.${remoteName}`,
          )
        return local.eq(remote)
      })
      return and(...pairs)
    })
}

function describe(from: FromClause): string {
  return from.kind === "join" ? `(${describe(from.left)} JOIN ${describe(from.right)})` : `"${from.name}"`
}

function isTableLike(from: FromClause): from is Table | Alias<ColumnSpecs> {
  return from.kind === "table" || from.kind === "alias"
}
