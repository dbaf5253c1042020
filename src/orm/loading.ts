// Loader options: `select(User).options(selectinload(User.posts).selectinload(Post.comments))`.
// Each level is a query for the children of the level above, selected by a subquery of that level's
// query (never by keys read back), so the parent query and every level travel in one request.
// Relationships declared `lazy: "selectin"` load this way by default; `raiseload(...)` turns a default
// off for one query. Everything else stays unloaded, and reading it raises NotLoadedError.
import type { Select } from "../sql/select.ts"
import { isEntity, type SelectItem } from "../sql/select-items.ts"
import type { RelationshipAttribute } from "./attribute.ts"
import type { Mapper, RelationshipProperty } from "./mapper.ts"
import { mapperOf } from "./mapper-of.ts"
import { type RelationshipLoad, relationshipLoad } from "./relationship-query.ts"

export class LoaderOption {
  readonly kind = "loader"

  constructor(
    /** The relationships from the queried entity down to the one this option loads. */
    readonly path: readonly RelationshipAttribute<unknown>[],
    /** `"raise"`: keep the last relationship of the path unloaded, whatever its default. */
    readonly strategy: "selectin" | "raise" = "selectin",
  ) {
    Object.freeze(this)
  }

  /** Also loads a relationship of the objects this option loads: `.selectinload(Post.comments)`. */
  selectinload(attribute: RelationshipAttribute<unknown>): LoaderOption {
    return new LoaderOption([...this.path, attribute])
  }

  /** Keeps a relationship of the objects this option loads unloaded: `.raiseload(Post.comments)`. */
  raiseload(attribute: RelationshipAttribute<unknown>): LoaderOption {
    return new LoaderOption([...this.path, attribute], "raise")
  }
}

/** Loads a relationship of the query's objects, in the same request as the query. */
export function selectinload(attribute: RelationshipAttribute<unknown>): LoaderOption {
  return new LoaderOption([attribute])
}

/** Keeps a relationship unloaded for this query even when it is declared `lazy: "selectin"`. */
export function raiseload(attribute: RelationshipAttribute<unknown>): LoaderOption {
  return new LoaderOption([attribute], "raise")
}

/** A level of loading: which relationship, the query for it, and the level it hangs from. */
export interface LoadLevel {
  readonly property: RelationshipProperty
  readonly load: RelationshipLoad
  /** Index of the parent level in the plan; -1 for the query's own objects. */
  readonly parent: number
}

type Query = Select<readonly SelectItem[]>

/**
 * Every level the options and the relationships' `lazy: "selectin"` defaults ask for, prefixes shared:
 * `a.b` and `a.c` load `a` once.
 */
export function planLoads(query: Query, options: readonly unknown[]): LoadLevel[] {
  const loaders = options.filter((option): option is LoaderOption => option instanceof LoaderOption)
  const raised = new Set(loaders.filter((o) => o.strategy === "raise").map((o) => pathKey(o.path)))
  const levels: LoadLevel[] = []
  const byPath = new Map<string, number>()
  const add = (path: string, property: RelationshipProperty, parent: number, source: Query): number => {
    const known = byPath.get(path)
    if (known !== undefined) return known
    levels.push({ property, load: relationshipLoad(property, source), parent })
    byPath.set(path, levels.length - 1)
    return levels.length - 1
  }
  const sourceOf = (level: number) => (level === -1 ? query : (levels[level] as LoadLevel).load.statement)

  for (const option of loaders) {
    if (option.strategy === "raise") continue
    let parent = -1
    let path = ""
    for (const attribute of option.path) {
      path += `/${attribute}`
      parent = add(path, attribute.property, parent, sourceOf(parent))
    }
  }
  // Defaults: each loaded level's `lazy: "selectin"` relationships, not back along the way it came.
  const root = query.state.items.find(isEntity)
  const visit = (mapper: Mapper, parent: number, path: string, came?: RelationshipProperty) => {
    for (const property of mapper.relationships.values()) {
      if (property.spec.options.lazy !== "selectin" || isBackOf(property, came)) continue
      const childPath = `${path}/${mapper.cls.name}.${property.key}`
      if (raised.has(childPath) || byPath.has(childPath) || seenOnPath(path, property)) continue
      const level = add(childPath, property, parent, sourceOf(parent))
      visit(property.target, level, childPath, property)
    }
  }
  if (root) visit(mapperOf(root), -1, "")
  for (const [path, level] of [...byPath]) {
    const property = (levels[level] as LoadLevel).property
    visit(property.target, level, path, property)
  }
  return levels
}

function pathKey(path: readonly RelationshipAttribute<unknown>[]): string {
  return path.map((attribute) => `/${attribute}`).join("")
}

function isBackOf(property: RelationshipProperty, came: RelationshipProperty | undefined): boolean {
  return came !== undefined && came.backPopulates === property.key && came.target === property.parent
}

/** A relationship already loaded higher up this path: defaults must not recurse around a cycle. */
function seenOnPath(path: string, property: RelationshipProperty): boolean {
  return path.split("/").includes(`${property.parent.cls.name}.${property.key}`)
}
