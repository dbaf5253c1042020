// How a session's reads are planned and how their rows land: the statements of a query and its loads,
// `session.get`'s cached plan per mapper, and the query's rows as objects (its loads land by the loads
// plugin, ./land-levels.ts). Shared by ReadSession and AsyncSession's `commit({ read })`; nothing here
// writes.
import type { TransactionOptions } from "../drivers/transport.ts"
import type { Result } from "../engine/result.ts"
import { itemsOf } from "../engine/row-shape.ts"
import { Bound } from "../sql/bound.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import { and, bindparam, refuseArgument } from "../sql/expression.ts"
import { type Select, select } from "../sql/select.ts"
import { isEntity, type SelectItem } from "../sql/select-items.ts"
import type { Statement } from "../sql/statement.ts"
import { cached } from "../util/cached.ts"
import { type Hydration, hydrateItem } from "./hydrate.ts"
import type { JsonLoad } from "./json-load.ts"
import type { LoaderOption, LoadPlan } from "./loading.ts"
import type { Mapper, ModelConstructor } from "./mapper.ts"
import { mapperOf } from "./mapper-of.ts"
import { plugins } from "./plugins.ts"

export type { Hydration }

/** A read batch's transaction: one snapshot, no writes. */
export const ONE_SNAPSHOT: TransactionOptions = { isolationLevel: "repeatable read", readOnly: true }

/** Per mapper: `select(Model)` by primary key, its values as `bindparam`s k0, k1..., made once. */
const byKeySelects = new WeakMap<Mapper, Select<readonly SelectItem[]>>()
const byKeyPlans = new WeakMap<Mapper, LoadPlan>()

export function byKey(mapper: Mapper): Select<readonly SelectItem[]> {
  return cached(byKeySelects, mapper, () => {
    const conditions = mapper.primaryKey.map((column, i) => column.eq(bindparam(`k${i}`, column.type)))
    return select(mapper.cls as never).where(and(...conditions)) as Select<readonly SelectItem[]>
  })
}

/** A primary key's values as `byKey`'s parameters. */
export function byKeyValues(identity: readonly unknown[]): Record<string, unknown> {
  // A one-column key, the commonest, without the pairs and template strings of the general case.
  return identity.length === 1
    ? { k0: identity[0] }
    : Object.fromEntries(identity.map((value, i) => [`k${i}`, value]))
}

/**
 * `session.get`'s plan for a mapper: by primary key, with the loads its relationships ask for by
 * default. Mappers do not change once their relationships are resolved, so neither does the plan; its
 * SQL is compiled once per dialect (../sql/bound.ts).
 */
export function byKeyPlan(mapper: Mapper): LoadPlan {
  return cached(byKeyPlans, mapper, () => planOf(byKey(mapper), []))
}

/** A query with its loads, as the statements that read them: the query and a JSON load, or one of them. */
export interface Read {
  readonly plan: LoadPlan
  readonly json: JsonLoad | undefined
  readonly statements: readonly Statement[]
}

/** The statements of a plan: one JSON statement carrying the query, or the query and the JSON of its loads. */
export function readOf(plan: LoadPlan, values?: Readonly<Record<string, unknown>>): Read {
  // Levels exist only where the loads plugin planned them: it reads them with a JSON statement.
  const json = plan.levels.length > 0 ? plugins.loads?.json(plan) : undefined
  const own = json?.statements ?? [plan.statement]
  return { plan, json, statements: own.map((s) => (values ? new Bound(s, values) : s)) }
}

/** The statements a select runs as, with the loads it asks for (none when nothing can ask: ./plugins.ts). */
export function planOf(query: Select<readonly SelectItem[]>, options: readonly unknown[]): LoadPlan {
  // Anything else (a relationship's name) was ignored, and the relationship raised NotLoadedError later.
  for (const option of options) {
    if ((option as LoaderOption)?.kind !== "loader") refuseArgument(option)
  }
  return plugins.loads?.plan(query, options) ?? { statement: query, levels: [], joined: [] }
}

/**
 * A read's objects and its loads from the results of its statements (first in `results`): the rows
 * become objects, and the loads land on them.
 */
export function landRead(
  read: Read,
  results: readonly Result<unknown[]>[],
  hydration: Hydration,
  dialect: Dialect,
): Result<unknown[]> {
  const { statement, levels, joined } = read.plan
  // Loads (levels, joins) exist only where the loads plugin planned them: it lands them (./land-levels.ts).
  if (plugins.loads && (levels.length > 0 || joined.length > 0))
    return plugins.loads.land(read, results, hydration, dialect)
  // The query's result, its rows made objects in place, as ReadSession.execute gives back the connection's.
  const first = results[0] as Result<unknown[]>
  hydrateRows(statement, first.rows as unknown[][], hydration)
  return first
}

/** Replaces the entity values of rows (in place) by objects from the identity map. */
export function hydrateRows(
  statement: Statement,
  rows: readonly unknown[][],
  hydration: Hydration,
): unknown[][] {
  const items = itemsOf(statement)
  for (const [i, item] of items.entries()) {
    if (!isEntity(item)) continue
    const mapper = mapperOf(item)
    if (typeof item === "function") mapper.adopt(item as unknown as ModelConstructor)
    hydrateItem(mapper, rows as unknown[][], i, hydration)
  }
  return rows as unknown[][]
}
