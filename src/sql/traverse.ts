// Walks expression trees: which tables, aliases and subqueries their columns come from. Used to
// complete a select's FROM clause and to correlate subqueries. Does not enter nested selects.
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
