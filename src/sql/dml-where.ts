// The conditions an UPDATE's or DELETE's where() is given. `undefined` ones are skipped, as select()'s
// are, so that filters can be built conditionally (`where(mine ? Post.userId.eq(me) : undefined)`).
// But a write whose where() was given conditions and kept none that restricts anything (each one
// undefined, or an and() of nothing, which is true) would reach every row of its table: refused. A
// write meant for every row leaves where() out.
import { InvalidRequestError } from "../errors.ts"
import { BooleanList, type Expression } from "./expression.ts"

export function writeConditions(
  statement: "UPDATE" | "DELETE",
  table: string,
  conditions: readonly (Expression<boolean | null> | undefined)[],
): Expression<boolean | null>[] {
  const given = conditions.filter((c): c is Expression<boolean | null> => c !== undefined)
  if (conditions.length > 0 && !given.some(restricts)) {
    const kinds = conditions.map((c) => (c === undefined ? "undefined" : "and() of nothing")).join(", ")
    throw new InvalidRequestError(
      `${statement} of "${table}": where() was given no condition that restricts it (${kinds}), so it would ${statement === "DELETE" ? "delete" : "update"} every row. Leave where() out to mean every row`,
    )
  }
  return given
}

/** Whether a condition can leave a row out: all but an and() of nothing (true). */
function restricts(condition: Expression<unknown>): boolean {
  return !(
    condition instanceof BooleanList &&
    condition.operator === "AND" &&
    condition.items.every((c) => !restricts(c))
  )
}
