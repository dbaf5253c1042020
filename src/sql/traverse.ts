// Walks expression trees: which tables, aliases and subqueries their columns come from (to complete a
// select's FROM clause and to correlate subqueries), and the same tree over other columns. Neither
// enters nested selects.
import { Expression, Ordering } from "./expression.ts"
import { Column, type ColumnParent } from "./schema/column.ts"

/** The parents of every column in `nodes`, in order of first appearance. */
export function columnParents(
  nodes: readonly (Expression<unknown> | Ordering | undefined)[],
): ColumnParent[] {
  const found: ColumnParent[] = []
  const visit = (node: Expression<unknown>): void => {
    if (node instanceof Column) {
      if (!found.includes(node.parent)) found.push(node.parent)
      return
    }
    for (const child of node.children) visit(child)
  }
  for (const node of nodes) {
    if (node instanceof Ordering) visit(node.operand)
    else if (node instanceof Expression) visit(node)
  }
  return found
}

/** `node` with each column `replace` maps to another swapped for it, rebuilt only where one changed. */
export function replaceColumns<T>(
  node: Expression<T>,
  replace: (column: Column<unknown>) => Column<unknown> | undefined,
): Expression<T> {
  if (node instanceof Column) return (replace(node) ?? node) as Expression<T>
  const children = node.children
  const replaced = children.map((child) => replaceColumns(child, replace))
  return replaced.some((child, i) => child !== children[i]) ? node.withChildren(replaced) : node
}
