// Selects used inside other statements: as a FROM item (subquery, CTE), as a value (scalar subquery)
// or as a condition (EXISTS).
import { Expression, Label, type SubqueryTarget } from "./expression.ts"
import type { OutputColumn } from "./from.ts"
import { Column } from "./schema/column.ts"
import { ENTITY, isEntity, type SelectItem } from "./select-items.ts"
import { BooleanType, NullType, type SqlType } from "./types.ts"

/** `(SELECT one column ...)` used as a value. */
export class ScalarSubquery<T> extends Expression<T> {
  readonly kind = "scalar_subquery"
  constructor(
    readonly select: SubqueryTarget,
    readonly type: SqlType<unknown>,
  ) {
    super()
    Object.freeze(this)
  }
}

export class Exists extends Expression<boolean> {
  readonly kind = "exists"
  readonly type = BooleanType
  constructor(readonly select: SubqueryTarget) {
    super()
    Object.freeze(this)
  }
}

/** `EXISTS (SELECT ...)`; `not(exists(...))` for NOT EXISTS. */
export function exists(select: SubqueryTarget): Expression<boolean> {
  return new Exists(select)
}

/**
 * The named output columns of a select list: column keys and labels (a name taken already: its next
 * free `_1`, `_2`, as the compiler's selectList names it), and every column of an entity.
 */
export function outputColumns(items: readonly SelectItem[]): OutputColumn[] {
  const nameOf = outputNames(items)
  const named = (col: Column<unknown>): OutputColumn => ({ name: nameOf(col.key), type: col.type })
  return items.flatMap((item): OutputColumn[] => {
    if (isEntity(item)) return item[ENTITY].columns.map(named)
    if (!(item instanceof Expression)) return item.columns.map(named)
    if (item instanceof Column) return [named(item)]
    if (item instanceof Label) return [{ name: nameOf(item.name, true), type: item.type }]
    return []
  })
}

/**
 * Names a select list's output columns in order: labels' names are taken before any column is named
 * (`id_1` may be one), a label's is its own the first time, and a name taken already is its next free
 * `_1`. A label given twice (a hybrid of a model and of its alias) named a subquery's or CTE's two
 * columns alike: PostgreSQL found them ambiguous, and SQLite read the first for both.
 */
export function outputNames(items: readonly SelectItem[]): (name: string, label?: boolean) => string {
  const taken = new Set(items.flatMap((item) => (item instanceof Label ? [item.name] : [])))
  const unused = new Set(taken)
  return (name, label) => (label && unused.delete(name) ? name : freeName(name, taken))
}

/** `name`, or its next free `name_1`, `name_2`; taken from then on. */
export function freeName(name: string, taken: Set<string>): string {
  let free = name
  for (let n = 1; taken.has(free); n++) free = `${name}_${n}`
  taken.add(free)
  return free
}

/** The type of the first select item, for scalar subqueries. */
export function firstItemType(items: readonly SelectItem[]): SqlType<unknown> {
  const [first] = items
  return first && first instanceof Expression ? first.type : NullType
}
