// The query that loads one relationship for many parents at once, and how its rows are given back
// to each parent. Used by `session.refresh(obj, ["posts"])` and `session.load(objects, User.posts)`.
import { InvalidRequestError } from "../errors.ts"
import { and } from "../sql/expression.ts"
import type { Column } from "../sql/schema/column.ts"
import { Select, select } from "../sql/select.ts"
import type { SelectItem } from "../sql/select-items.ts"
import type { RelationshipProperty } from "./mapper.ts"
import { stateOf } from "./state.ts"

export interface RelationshipLoad {
  readonly statement: Select<readonly SelectItem[]>
  /** Sorts the loaded rows ([target, parent key] tuples) out to their parents. */
  assign(rows: readonly (readonly unknown[])[], parents: readonly object[]): Map<object, object[]>
}

/**
 * The load of a relationship for `parents`, or for the parents a select will return: then the children
 * are selected by a subquery of that select, so both can travel in one request.
 */
export function relationshipLoad(
  property: RelationshipProperty,
  parents: readonly object[] | Select<readonly SelectItem[]>,
): RelationshipLoad {
  const target = property.target.cls as unknown as SelectItem
  if (property.pairs.length !== 1 || (property.secondary?.pairs.length ?? 1) !== 1) {
    throw new InvalidRequestError(
      `Loading ${property.parent.name}.${property.key} over a composite key is not supported yet`,
    )
  }
  const [parentColumn, linkColumn] = property.pairs[0] as readonly [Column<unknown>, Column<unknown>]
  const keyOf = (parent: object) => stateOf(parent).values[parentColumn.key]
  const keys = isSelect(parents)
    ? new Select({ ...parents.state, items: [parentColumn], options: [] })
    : [...new Set(parents.map(keyOf).filter((k) => k !== null && k !== undefined))]
  const secondary = property.secondary
  if (secondary) {
    const [secondaryColumn, targetColumn] = secondary.pairs[0] as readonly [Column<unknown>, Column<unknown>]
    const statement = select(target, linkColumn)
      .join(secondary.table, and(secondaryColumn.eq(targetColumn)))
      .where(linkColumn.in(keys as never))
    return { statement: statement as never, assign: (rows, owners) => group(owners, rows, keyOf) }
  }
  // one-to-many: the link column is the child's foreign key; many-to-one: the target's referenced key.
  const statement = select(target, linkColumn).where(linkColumn.in(keys as never))
  return { statement: statement as never, assign: (rows, owners) => group(owners, rows, keyOf) }
}

function group(
  parents: readonly object[],
  rows: readonly (readonly unknown[])[],
  keyOf: (parent: object) => unknown,
): Map<object, object[]> {
  const byKey = new Map<string, object[]>()
  for (const [object, key] of rows) {
    const list = byKey.get(String(key)) ?? []
    if (!list.includes(object as object)) list.push(object as object)
    byKey.set(String(key), list)
  }
  return new Map(parents.map((parent) => [parent, byKey.get(String(keyOf(parent))) ?? []]))
}

function isSelect(
  value: readonly object[] | Select<readonly SelectItem[]>,
): value is Select<readonly SelectItem[]> {
  return !Array.isArray(value)
}
