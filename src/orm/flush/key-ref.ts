// A key the database has not generated yet, as a value other rows of the same flush can hold.
import { InvalidRequestError } from "../../errors.ts"
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

  /**
   * It has no value yet: made text (`note: \`post ${keyOf(post)}\``) or a number, it was "[object Object]"
   * or NaN, written without an error where the same listener wrote a stored row's key.
   */
  [Symbol.toPrimitive](): never {
    throw new InvalidRequestError(
      `keyOf() of a new ${this.state.mapper.name} is the key the database generates as this flush inserts it, not a value yet: ` +
        "store it as a column's value ({ entityId: keyOf(object) }), or write text with it from an afterCommit listener, where the object's key is set",
    )
  }
}
