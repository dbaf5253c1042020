// Walks expression trees: which tables, aliases and subqueries their columns come from (to complete a
// select's FROM clause and to correlate subqueries), and the same tree over other columns. Neither
// enters nested selects.
import { Expression, expressionOf, Ordering } from "./expression.ts"
import { Column, type ColumnParent } from "./schema/column.ts"

/** The parents of every column in `nodes`, in order of first appearance. */
export function columnParents(nodes: readonly (Expression<unknown> | Ordering)[]): ColumnParent[] {
  const found: ColumnParent[] = []
  const visit = (node: Expression<unknown>): void => {
    if (node instanceof Column) {
      if (!found.includes(node.parent)) found.push(node.parent)
      return
    }
    // A select's conditions, groupings and orderings pass here before they are compiled.
    for (const child of expressionOf(node).children) visit(child)
  }
  for (const node of nodes) visit(node instanceof Ordering ? node.operand : node)
  return found
}

/**
 * `node` with each column `replace` maps to another swapped for it, rebuilt only where one changed.
 * Nodes are frozen data: a changed one is copied field by field (expressions, and arrays or plain
 * objects of them, as CASE's WHENs), which every kind of node allows without a method of its own.
 */
export function replaceColumns<T>(
  node: Expression<T>,
  replace: (column: Column<unknown>) => Column<unknown> | undefined,
): Expression<T> {
  if (node instanceof Column) return (replace(node) ?? node) as Expression<T>
  let changed = false
  const swap = (value: unknown): unknown => {
    if (value instanceof Expression) {
      const next = replaceColumns(value, replace)
      changed ||= next !== value
      return next
    }
    if (Array.isArray(value)) return Object.freeze(value.map(swap))
    if (value && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.freeze(
        Object.fromEntries(Object.entries(value).map(([key, field]) => [key, swap(field)])),
      )
    }
    return value
  }
  const fields = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, swap(value)]))
  return changed ? Object.freeze(Object.assign(Object.create(Object.getPrototypeOf(node)), fields)) : node
}
