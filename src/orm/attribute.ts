// `User.posts`: the class-level handle of a relationship, for loader options, joins and EXISTS
// operators. It resolves its relationship on first use, when the target model is known.
import type { Mapper, RelationshipProperty } from "./mapper.ts"

export class RelationshipAttribute<Target> {
  /** Phantom: the target instance type. */
  declare readonly targetType: Target
  readonly kind = "relationship_attribute"

  constructor(
    readonly mapper: Mapper,
    readonly key: string,
  ) {
    Object.freeze(this)
  }

  get property(): RelationshipProperty {
    return this.mapper.relationship(this.key)
  }

  toString(): string {
    return `${this.mapper.name}.${this.key}`
  }
}
