// LIMIT and OFFSET. A negative one is no limit on SQLite and an error on PostgreSQL; a fraction or a
// numeric string each takes its own way: refused alike on both, before anything is sent.
import { InvalidRequestError } from "../errors.ts"
import { Expression } from "./expression.ts"

/** A LIMIT or OFFSET as given: a whole number from 0, an expression, or none (undefined or null). */
export function rowCount(
  clause: "limit" | "offset",
  count: number | Expression<number> | null | undefined,
): number | Expression<number> | undefined {
  if (count == null || count instanceof Expression || (Number.isSafeInteger(count) && count >= 0))
    return count ?? undefined
  throw new InvalidRequestError(`${clause}() takes a whole number from 0, got ${String(count)}`)
}
