// `aliased(User, "author")`: a model under another name, for self-joins and for selecting the same
// model twice (`select(Post, author).join(author, Post.userId.eq(author.id))`). Its rows are objects
// of the model, through the identity map like any other.
import { TABLE } from "../sql/dml-target.ts"
import { Alias } from "../sql/from.ts"
import type { Table, TableColumns } from "../sql/schema/table.ts"
import { ENTITY, type EntityDescriptor } from "../sql/select-items.ts"
import type { Mapper, ModelConstructor } from "./mapper.ts"
import { MAPPER, mapperOf } from "./mapper-of.ts"

type ColumnSpecsOf<M> = M extends { readonly [TABLE]: Table<infer S> } ? S : never

export type AliasedModel<M extends ModelConstructor> = TableColumns<ColumnSpecsOf<M>> & {
  readonly [ENTITY]: EntityDescriptor
  readonly [MAPPER]: Mapper
  /** Every column, including ones named like the alias's own properties. */
  readonly c: TableColumns<ColumnSpecsOf<M>>
  /** Phantom: the instances its rows become. */
  readonly entityType: InstanceType<M>
}

let aliasCount = 0

export function aliased<M extends ModelConstructor>(model: M, name?: string): AliasedModel<M> {
  const mapper = mapperOf(model)
  mapper.adopt(model)
  const alias = new Alias(mapper.table, name ?? `${mapper.table.name}_${++aliasCount}`)
  return Object.freeze({
    ...alias.c,
    c: alias.c,
    [ENTITY]: { from: alias, columns: alias.columns },
    [MAPPER]: mapper,
  }) as unknown as AliasedModel<M>
}
