// Features the session uses only once the app has reached for them: each is installed by the public
// function that needs it (see ./dml.ts), so a bundle carries only the features its app uses.

import type { EntityLike } from "../sql/select-items.ts"
import type { RelationshipAttribute } from "./attribute.ts"
import type { bulkSync } from "./bulk-sync.ts"
import type { jsonLoad } from "./json-load.ts"
import type { landLoads } from "./land-levels.ts"
import type { planLoading } from "./loading.ts"
import type { Mapper } from "./mapper.ts"
import type { RelationshipSpec } from "./relationship.ts"
import type {
  defineRelationshipAccessors,
  initializeLinked,
  linkIndexWrites,
} from "./relationship-accessors.ts"
import type { assignJoined, assignLoaded, relationshipLoads } from "./relationship-query.ts"
import type { resolveRelationships } from "./relationship-resolve.ts"

export const plugins: {
  bulkSync?: typeof bulkSync
  /** Loading relationships with a query: installed by the loader options and `lazy` relationships. */
  loads?: {
    readonly plan: typeof planLoading
    readonly json: typeof jsonLoad
    readonly land: typeof landLoads
  }
  /**
   * Relationships: installed by `relationship()`, so it is there whenever a model declares one, and an
   * app whose models declare none carries none of it (./relationships.ts).
   */
  relationships?: {
    /** Whether a model's field is a `relationship()`: a model that declares none needs no such test. */
    readonly isSpec: (value: unknown) => value is RelationshipSpec<unknown>
    readonly resolve: typeof resolveRelationships
    readonly attribute: (mapper: Mapper, key: string, entity?: EntityLike) => RelationshipAttribute<unknown>
    readonly defineAccessors: typeof defineRelationshipAccessors
    readonly initialize: typeof initializeLinked
    readonly linkIndexWrites: typeof linkIndexWrites
    readonly loads: typeof relationshipLoads
    readonly assign: typeof assignLoaded
    readonly assignJoined: typeof assignJoined
  }
} = {}
