// The conditions an UPDATE's or DELETE's where() is given. `undefined` ones are skipped, as select()'s
// are, so that filters can be built conditionally (`where(mine ? Post.userId.eq(me) : undefined)`).
// But a write whose where() calls kept no condition that restricts anything (each one undefined, or an
// and() of nothing, which is true) would reach every row of its table: refused when it is compiled
// (./compiler/dml-renderer.ts), not at the where() call, so that filters added over several calls
// count together: `.where(undefined).where(Post.id.eq(1))` restricts. A write meant for every row
// leaves where() out.
import { InvalidRequestError } from "../errors.ts"
import { BooleanList, type Expression, expressionOf } from "./expression.ts"

/** What an UPDATE's or DELETE's where() calls leave: the kept conditions, and the refusal if none restricts. */
export interface WriteWhere {
  readonly where: readonly Expression<unknown>[]
  /** Set while where() was given conditions and none kept restricts: why the statement is refused. */
  readonly unrestricted?: string | undefined
}

export function writeConditions(
  statement: "UPDATE" | "DELETE",
  table: string,
  before: WriteWhere,
  conditions: readonly (Expression<boolean | null> | undefined)[],
): WriteWhere {
  // SQL in a string or a boolean failed in the compiler with a TypeError, as a select's did (./traverse.ts).
  const where = [...before.where, ...conditions.filter((c) => c !== undefined).map(expressionOf)]
  if (where.some(restricts) || (conditions.length === 0 && !before.unrestricted))
    return { where, unrestricted: undefined }
  const kinds = conditions.map((c) => (c === undefined ? "undefined" : "and() of nothing")).join(", ")
  return {
    where,
    unrestricted:
      before.unrestricted ??
      `${statement} of "${table}": where() was given no condition that restricts it (${kinds}), so it would ${statement === "DELETE" ? "delete" : "update"} every row. Leave where() out to mean every row`,
  }
}

/** Refuses an UPDATE or DELETE whose where() kept nothing that restricts it (see writeConditions). */
export function requireRestricted(state: WriteWhere): void {
  if (state.unrestricted) throw new InvalidRequestError(state.unrestricted)
}

/** Whether a condition can leave a row out: all but an and() of nothing (true). */
function restricts(condition: Expression<unknown>): boolean {
  return !(
    condition instanceof BooleanList &&
    condition.operator === "AND" &&
    condition.items.every((c) => !restricts(c))
  )
}
