// Loader options: `select(User).options(selectinload(User.posts).selectinload(Post.comments))`.
// Each level is a query for the children of the level above, selected by a subquery of that level's
// query (never by keys read back), so the parent query and every level travel in one request.
import type { Select } from "../sql/select.ts"
import type { SelectItem } from "../sql/select-items.ts"
import type { RelationshipAttribute } from "./attribute.ts"
import type { RelationshipProperty } from "./mapper.ts"
import { type RelationshipLoad, relationshipLoad } from "./relationship-query.ts"

export class LoaderOption {
  readonly kind = "loader"

  constructor(
    /** The relationships from the queried entity down to the one this option loads. */
    readonly path: readonly RelationshipAttribute<unknown>[],
  ) {
    Object.freeze(this)
  }

  /** Also loads a relationship of the objects this option loads: `.selectinload(Post.comments)`. */
  selectinload(attribute: RelationshipAttribute<unknown>): LoaderOption {
    return new LoaderOption([...this.path, attribute])
  }
}

/** Loads a relationship of the query's objects, in the same request as the query. */
export function selectinload(attribute: RelationshipAttribute<unknown>): LoaderOption {
  return new LoaderOption([attribute])
}

/** A level of loading: which relationship, the query for it, and the level it hangs from. */
export interface LoadLevel {
  readonly property: RelationshipProperty
  readonly load: RelationshipLoad
  /** Index of the parent level in the plan; -1 for the query's own objects. */
  readonly parent: number
}

/** Every level the options ask for, prefixes shared: `a.b` and `a.c` load `a` once. */
export function planLoads(query: Select<readonly SelectItem[]>, options: readonly unknown[]): LoadLevel[] {
  const levels: LoadLevel[] = []
  const byPath = new Map<string, number>()
  for (const option of options) {
    if (!(option instanceof LoaderOption)) continue
    let parent = -1
    let source: Select<readonly SelectItem[]> = query
    let key = ""
    for (const attribute of option.path) {
      key += `/${attribute}`
      const known = byPath.get(key)
      if (known !== undefined) {
        parent = known
        source = (levels[known] as LoadLevel).load.statement
        continue
      }
      const property = attribute.property
      const load = relationshipLoad(property, source)
      levels.push({ property, load, parent })
      parent = levels.length - 1
      byPath.set(key, parent)
      source = load.statement
    }
  }
  return levels
}
