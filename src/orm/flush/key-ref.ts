// A key the database has not generated yet, as a value other rows of the same flush can hold.
import { Expression } from "../../sql/expression.ts"
import { Integer } from "../../sql/types.ts"
import type { InstanceState } from "../state.ts"

/**
 * The generated key of a row inserted earlier in the same flush. It is an expression, so a listener
 * can store it in a column of another new row (an audit entry's `entityId`) within the same request.
 */
export class KeyRef extends Expression<number> {
  readonly kind = "key_ref"
  readonly type = Integer

  constructor(readonly state: InstanceState) {
    super()
  }
}
