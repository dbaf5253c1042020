// The relationships plugin: what models need once one of them declares a relationship (resolving
// targets and join columns, the class attribute `User.posts`, the instance accessors that keep both
// sides in sync, loading and landing related objects). `relationship()` installs it, so an app whose
// models have only columns carries none of it (./plugins.ts).
import { RelationshipAttribute } from "./attribute.ts"
import { plugins } from "./plugins.ts"
import { RelationshipSpec } from "./relationship.ts"
import { defineRelationshipAccessors, initializeLinked, linkIndexWrites } from "./relationship-accessors.ts"
import { assignJoined, assignLoaded, relationshipLoads } from "./relationship-query.ts"
import { resolveRelationships } from "./relationship-resolve.ts"

export function installRelationships(): void {
  plugins.relationships ??= {
    isSpec: (value) => value instanceof RelationshipSpec,
    resolve: resolveRelationships,
    attribute: (mapper, key, entity) => new RelationshipAttribute(mapper, key, entity),
    defineAccessors: defineRelationshipAccessors,
    initialize: initializeLinked,
    linkIndexWrites,
    loads: relationshipLoads,
    assign: assignLoaded,
    assignJoined,
  }
}
