// What an INSERT's, UPDATE's or DELETE's returning() is given. RETURNING reads the rows the statement
// wrote, of its own table only; a column of another table was compiled by its bare name, so
// `insert(User).returning(Post.id)` gave back the user's id (and `Post.title`, a "no such column" from the
// database, far from the cause). Refused, naming the table the statement writes.
import { InvalidRequestError } from "../errors.ts"
import { Expression } from "./expression.ts"
import type { Table } from "./schema/table.ts"
import { ENTITY, isEntity, type SelectItem } from "./select-items.ts"
import { columnParents } from "./traverse.ts"

export function returningItems<R extends readonly SelectItem[]>(
  statement: string,
  table: Table,
  items: R,
): R {
  for (const item of items) {
    const parents =
      item instanceof Expression ? columnParents([item]) : [isEntity(item) ? item[ENTITY].from : item]
    const other = parents.find((parent) => parent !== table)
    if (other) {
      throw new InvalidRequestError(
        `${statement} of "${table.name}" can return its own rows' columns only; returning() was given one of "${other.qualifier}"`,
      )
    }
  }
  return items
}
