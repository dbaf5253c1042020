// `aliased(User, "author")`: a model under another name, for self-joins and for selecting the same
// model twice (`select(Post, author).join(author, Post.userId.eq(author.id))`); `aliased(User, subq)`:
// a model over a subquery or CTE of it (`select(User).where(...).subquery("active")`), for joining to or
// selecting from a narrowed set. Rows are objects of the model, through the identity map like any other.
import { InvalidRequestError } from "../errors.ts"
import { TABLE } from "../sql/dml-target.ts"
import type { Label } from "../sql/expression.ts"
import { Alias, Cte, Subquery } from "../sql/from.ts"
import { Column } from "../sql/schema/column.ts"
import type { Table, TableColumns } from "../sql/schema/table.ts"
import {
  ENTITY,
  type EntityDescriptor,
  type EntityLike,
  isEntity,
  type SelectItem,
} from "../sql/select-items.ts"
import { outputColumns } from "../sql/subquery.ts"
import { replaceColumns } from "../sql/traverse.ts"
import type { RelationshipAttribute } from "./attribute.ts"
import { hybridExpressions } from "./hybrid-expressions.ts"
import type { Mapper, ModelConstructor } from "./mapper.ts"
import { MAPPER, mapperOf } from "./mapper-of.ts"
import { plugins } from "./plugins.ts"

type ColumnSpecsOf<M> = M extends { readonly [TABLE]: Table<infer S> } ? S : never

/**
 * The model's relationship attributes (`User.posts`) and hybrids (`User.fullName`), which an alias has
 * too, from its own columns (`boss.posts`, `boss.fullName`).
 */
type RelationshipsOf<M> = {
  readonly [K in keyof M as M[K] extends RelationshipAttribute<unknown> | Label<unknown> ? K : never]: M[K]
}

export type AliasedModel<M extends ModelConstructor> = TableColumns<ColumnSpecsOf<M>> &
  RelationshipsOf<M> & {
    readonly [ENTITY]: EntityDescriptor
    readonly [MAPPER]: Mapper
    /** Every column, including ones named like the alias's own properties. */
    readonly c: TableColumns<ColumnSpecsOf<M>>
    /** Phantom: the instances its rows become. */
    readonly entityType: InstanceType<M>
  }

let aliasCount = 0

export function aliased<M extends ModelConstructor>(
  model: M,
  from?: string | Subquery | Cte,
): AliasedModel<M> {
  const mapper = mapperOf(model)
  mapper.adopt(model)
  const derived = from instanceof Subquery || from instanceof Cte
  if (!derived && from !== undefined && typeof from !== "string") {
    throw new InvalidRequestError(
      `aliased(${mapper.name}, from) takes a name, a subquery or a CTE: aliased(${mapper.name}, "name"), aliased(${mapper.name}, select(${mapper.name}).subquery())`,
    )
  }
  const source = derived ? from : new Alias(mapper.table, from ?? `${mapper.table.name}_${++aliasCount}`)
  const byKey = source.c as Readonly<Record<string, Column<unknown>>>
  const selected = derived ? entityColumns(from, mapper) : undefined
  const columns = mapper.table.columns.map((column, i) => {
    const found = selected?.[i]
    // The subquery's column under the model's key (`id`, whatever the subquery calls it: `id_1` when
    // another entity's `id` came first), so that selecting it, and a subquery of it, name it so.
    if (found) return new Column(column.key, found.name, found.type, source, found.spec)
    const named = byKey[column.key]
    if (named) return named
    throw new InvalidRequestError(
      `The ${source.kind === "cte" ? "CTE" : "subquery"} "${source.name}" has no column ${column.key}; select the whole model in it: select(${mapper.name})`,
    )
  })
  const c = Object.fromEntries(columns.map((column, i) => [mapper.table.columns[i]?.key, column]))
  const entity: Record<string | symbol, unknown> = {
    ...c,
    c,
    // Rows name it by the alias given, else by its model, as SQLAlchemy's keys do.
    [ENTITY]: { from: source, columns, name: typeof from === "string" ? from : mapper.name },
    [MAPPER]: mapper,
  }
  // `boss.fullName`: a hybrid of the model over this entity's columns, as SQLAlchemy adapts it to an alias.
  const hybrids = Object.entries(hybridExpressions.get(mapper) ?? {})
  for (const [key, expression] of hybrids) {
    entity[key] = replaceColumns(expression, (column) =>
      column.parent === mapper.table ? columns[mapper.table.columns.indexOf(column)] : undefined,
    ).label(key)
  }
  // `boss.posts`: the relationship from this entity, for joins, EXISTS and loader options. (Specs exist
  // only once relationship() installed the plugin that makes attributes.)
  for (const key of mapper.relationshipSpecs.keys()) {
    entity[key] = plugins.relationships?.attribute(mapper, key, entity as unknown as EntityLike)
  }
  return Object.freeze(entity) as unknown as AliasedModel<M>
}

/**
 * The subquery's columns that came from the model's own entity in its select list (`select(User, Post)`
 * has two `id`s: Post's is `id_1`), by position: undefined when the model is not selected whole.
 */
function entityColumns(source: Subquery | Cte, mapper: Mapper): readonly Column<unknown>[] | undefined {
  const select = source.select as { state?: { items?: readonly SelectItem[] }; items?: readonly SelectItem[] }
  const items = select.state?.items ?? select.items ?? []
  let at = 0
  for (const item of items) {
    const width = outputColumns([item]).length
    // The model itself or an aliased() of it (whose FROM item is an alias of the table).
    if (isEntity(item) && ((item as { [MAPPER]?: Mapper })[MAPPER] ?? mapperOfEntity(item)) === mapper) {
      return source.columns.slice(at, at + width)
    }
    at += width
  }
  return undefined
}

function mapperOfEntity(item: object): Mapper | undefined {
  return typeof item === "function" ? mapperOf(item as ModelConstructor) : undefined
}
