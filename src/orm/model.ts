// `model(tableName, { columns and relationships })`: a class to extend with methods and getters.
// Its static side holds typed Core columns (`User.username.eq("bob")`) and relationship attributes;
// instances keep their values in an InstanceState, behind accessors that run validators and keep
// back-populated relationships in sync.
import { InvalidRequestError } from "../errors.ts"
import { TABLE } from "../sql/dml-target.ts"
import type { Expression, Label } from "../sql/expression.ts"
import type { Column } from "../sql/schema/column.ts"
import { ColumnSpec } from "../sql/schema/column.ts"
import type { Index, TableConstraint } from "../sql/schema/constraints.ts"
import { type RowOf, Table, type TableColumns, type ValueOf } from "../sql/schema/table.ts"
import { ENTITY, type EntityDescriptor } from "../sql/select-items.ts"
import { base64 } from "../util/base64.ts"
import type { RelationshipAttribute } from "./attribute.ts"
import type { HybridInstaller, Hybrids, HybridValues } from "./hybrid.ts"
import { defineColumnAccessors } from "./instance-accessors.ts"
import { Mapper, type ModelConstructor } from "./mapper.ts"
import { MAPPER } from "./mapper-of.ts"
import { plugins } from "./plugins.ts"
import { defaultRegistry, type Registry } from "./registry.ts"
import type { RelationshipSpec } from "./relationship.ts"
import { InstanceState, STATE } from "./state.ts"

// biome-ignore lint/suspicious/noExplicitAny: specs of any value type; `unknown` would reject function defaults
type AnySpec = ColumnSpec<any, boolean> | RelationshipSpec<any>
export type ModelFields = { readonly [key: string]: AnySpec }

type ColumnKeys<F> = {
  [K in keyof F]: F[K] extends ColumnSpec<unknown, boolean> ? K : never
}[keyof F] &
  string
type RelationKeys<F> = { [K in keyof F]: F[K] extends RelationshipSpec<unknown> ? K : never }[keyof F] &
  string
/** The column specs of a model's fields: its table's columns. */
export type ColumnsOf<F> = { readonly [K in ColumnKeys<F>]: F[K] & ColumnSpec<ValueOf<F[K]>, boolean> }
type RelationValue<S> = S extends RelationshipSpec<infer T> ? T : never
type Element<T> = T extends readonly (infer E)[] ? E : NonNullable<T>

/** An instance: column values (nullable ones `T | null`) and relationships. */
export type ModelInstance<F> = RowOf<ColumnsOf<F>> & { -readonly [K in RelationKeys<F>]: RelationValue<F[K]> }

type RequiredKeys<F> = {
  [K in ColumnKeys<F>]: F[K] extends ColumnSpec<unknown, true, boolean> | ColumnSpec<unknown, boolean, true>
    ? never
    : K
}[ColumnKeys<F>]

/**
 * Constructor argument: the required columns, any other column, any relationship. Foreign-key columns
 * are optional, as they are usually set through their relationship (`new Post({ author: user })`).
 */
export type ModelInit<F> = { [K in RequiredKeys<F>]: ValueOf<F[K]> } & {
  [K in Exclude<ColumnKeys<F>, RequiredKeys<F>>]?: ValueOf<F[K]>
} & { [K in RelationKeys<F>]?: RelationValue<F[K]> }

/** `JSON.stringify(user)` writes the column values (relationships may form cycles; hybrids are derived). */
interface JsonColumns {
  toJSON(): Record<string, unknown>
}

type ConstructorArgs<F> =
  Record<never, never> extends ModelInit<F> ? [init?: ModelInit<F>] : [init: ModelInit<F>]

/** Own properties of every function: a column with one of these names is reached through `Model.c`. */
type FunctionProperty = "name" | "length" | "prototype" | "caller" | "arguments"

export type ModelClass<F, H extends Hybrids = Record<never, never>> = {
  new (...args: ConstructorArgs<F>): ModelInstance<F> & HybridValues<H> & JsonColumns
  readonly [TABLE]: Table<ColumnsOf<F>>
  readonly [ENTITY]: EntityDescriptor
  readonly [MAPPER]: Mapper
  /** Every column, including ones whose name a class cannot carry (`Tag.c.name`). */
  readonly c: TableColumns<ColumnsOf<F>>
} & { readonly [K in Exclude<ColumnKeys<F>, FunctionProperty>]: Column<ValueOf<F[K]>, K> } & {
  readonly [K in RelationKeys<F>]: RelationshipAttribute<Element<RelationValue<F[K]>>>
} & { readonly [K in keyof H & string]: Label<H[K] extends Expression<infer T> ? T : never, K> }

const FUNCTION_PROPERTIES = new Set(["name", "length", "prototype", "caller", "arguments"])
const MODEL_OPTIONS = [
  "registry",
  "primaryKey",
  "constraints",
  "indexes",
  "versionId",
  "hybrids",
  "sqliteAutoincrement",
]

export interface ModelOptions {
  registry?: Registry
  /** Composite primary key by column key (or mark each column `primaryKey`). */
  primaryKey?: readonly string[]
  constraints?: readonly TableConstraint[]
  indexes?: readonly Index[]
  /** A column numbering versions of the row (optimistic concurrency): each UPDATE and DELETE checks it. */
  versionId?: string
  /**
   * SQLite only: `id INTEGER PRIMARY KEY AUTOINCREMENT`, so that a deleted row's id is never given to a
   * later row (SQLite otherwise takes max(rowid) + 1). PostgreSQL's identity never reuses one already.
   */
  sqliteAutoincrement?: boolean
}

/**
 * A model: `class User extends model("users", { id: column(Integer, { primaryKey: true }), ... }) {}`.
 * Instances are typed from the columns; the constructor requires exactly the columns that have neither
 * a default nor `nullable`.
 */
export function model<const F extends ModelFields, H extends Hybrids = Record<never, never>>(
  tableName: string,
  fields: F,
  options: ModelOptions & {
    /**
     * Hybrid properties: one SQL expression of the columns, usable in queries (`User.fullName` in
     * where, orderBy, select) and read on instances (`user.fullName`, computed in memory):
     * `{ hybrids: hybrid((c) => ({ fullName: c.firstName.concat(" ").concat(c.lastName) })) }`.
     */
    hybrids?: HybridInstaller<TableColumns<ColumnsOf<F>>, H>
  } = {},
): ModelClass<F, H> {
  // One it does not know (SQLAlchemy's version_id) would be ignored: no version checks, say.
  for (const key in options)
    if (!MODEL_OPTIONS.includes(key))
      throw new InvalidRequestError(`model("${tableName}"): unknown option ${key}`)
  const registry = options.registry ?? defaultRegistry
  const columnSpecs: Record<string, AnySpec> = {}
  const relationshipSpecs = new Map<string, RelationshipSpec<unknown>>()
  // Relationship specs come from `relationship()`, which installed the plugin that knows them
  // (./relationships.ts): an app whose models declare none carries none of it.
  const relationships = plugins.relationships
  for (const [key, spec] of Object.entries(fields)) {
    if (spec instanceof ColumnSpec) columnSpecs[key] = spec
    else if (relationships?.isSpec(spec)) relationshipSpecs.set(key, spec)
    // Kept, it would be a plain property that no flush writes and no query reads.
    else
      throw new InvalidRequestError(
        `model("${tableName}").${key} is neither column(...) nor relationship(...)`,
      )
  }
  const table = new Table(tableName, columnSpecs as never, { ...options, metadata: registry.metadata })
  if (!table.primaryKey.length)
    throw new InvalidRequestError(
      `model("${tableName}") has no primary key; mark a column { primaryKey: true }`,
    )
  const versionColumn = options.versionId === undefined ? undefined : table.requireColumn(options.versionId)

  const Model = class {
    constructor(init: Record<string, unknown> = {}) {
      mapper.adopt(new.target as ModelConstructor)
      const state = new InstanceState(this, mapper)
      Object.defineProperty(this, STATE, { value: state, enumerable: false })
      for (const key of Object.keys(init)) {
        if (!(key in fields)) {
          throw new InvalidRequestError(
            `${mapper.name} has no attribute "${key}" (it has ${Object.keys(fields).join(", ")})`,
          )
        }
      }
      // In the order given, as validators that read other attributes expect. With relationships, by the
      // plugin, which takes back the links made if one is refused midway (./relationship-accessors.ts).
      const self = this as Record<string, unknown>
      if (relationshipSpecs.size > 0) plugins.relationships?.initialize(self, init, relationshipSpecs)
      else for (const key of Object.keys(init)) self[key] = init[key]
    }

    /**
     * Column values, for JSON responses. Relationships are left out: they may form cycles. A 64-bit
     * integer is exact text, as a Numeric is: JSON.stringify refuses a bigint. Bytes are base64 text:
     * JSON.stringify writes a Uint8Array as an object of indexes (`{"0":104,"1":105}`).
     */
    toJSON(): Record<string, unknown> {
      const values = (this as unknown as { [STATE]: InstanceState })[STATE].values
      return Object.fromEntries(
        mapper.columnKeys.map((key) => {
          const value = values[key]
          return [
            key,
            typeof value === "bigint"
              ? `${value}`
              : value instanceof Uint8Array
                ? base64(value)
                : (value ?? null),
          ]
        }),
      )
    }
  }
  const mapper = new Mapper(registry, Model, table, relationshipSpecs, versionColumn)
  Object.defineProperty(Model, MAPPER, { value: mapper })
  Object.defineProperty(Model, TABLE, { value: table })
  // Static attributes as getters: reading `Post.title` through the subclass teaches the mapper its class.
  const staticAttribute = (key: PropertyKey, value: unknown) =>
    Object.defineProperty(Model, key, {
      get(this: ModelConstructor) {
        mapper.adopt(this)
        return value
      },
    })
  staticAttribute(ENTITY, Object.freeze({ from: table, columns: table.columns }) satisfies EntityDescriptor)
  staticAttribute("c", table.c)
  for (const column of table.columns) {
    if (!FUNCTION_PROPERTIES.has(column.key)) staticAttribute(column.key, column)
  }
  for (const key of relationshipSpecs.keys()) staticAttribute(key, relationships?.attribute(mapper, key))
  defineColumnAccessors(Model.prototype, mapper)
  if (relationshipSpecs.size > 0) relationships?.defineAccessors(Model.prototype, mapper)
  if (options.hybrids) {
    const taken = new Set([...FUNCTION_PROPERTIES, ...Object.keys(fields), "c", "toJSON"])
    options.hybrids.install(Model, mapper, table.c as never, taken)
  }
  return Model as unknown as ModelClass<F, H>
}
