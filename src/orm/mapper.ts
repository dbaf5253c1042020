// A mapper ties a model class to its table and relationships, as SQLAlchemy's Mapper. It is made by
// `model()`; relationships are resolved on first use, when every model they name has been seen.
import { InvalidRequestError } from "../errors.ts"
import type { Ordering } from "../sql/expression.ts"
import type { Column } from "../sql/schema/column.ts"
import type { Table } from "../sql/schema/table.ts"
import { plugins } from "./plugins.ts"
import type { Registry } from "./registry.ts"
import type { Cascade, RelationshipSpec } from "./relationship.ts"

export type Direction = "many-to-one" | "one-to-many" | "many-to-many"

/** A model class as the ORM sees it: something it can instantiate without running user code. */
export type ModelConstructor = abstract new (...args: never[]) => object

/** A relationship with its target and join columns worked out. */
export interface RelationshipProperty {
  readonly key: string
  readonly parent: Mapper
  readonly target: Mapper
  readonly direction: Direction
  readonly uselist: boolean
  /** Pairs of (column on the parent side, column on the child side) for one-to-many/many-to-one;
   *  for many-to-many, (parent column, secondary column). */
  readonly pairs: readonly (readonly [Column<unknown>, Column<unknown>])[]
  /** many-to-many only: (secondary column, target column) pairs and the association table. */
  readonly secondary?: {
    readonly table: Table
    readonly pairs: readonly (readonly [Column<unknown>, Column<unknown>])[]
  }
  readonly backPopulates: string | undefined
  readonly cascade: ReadonlySet<Cascade>
  readonly passiveDeletes: boolean
  /** The order a collection loads in (`orderBy`): columns of the target's table. */
  readonly orderBy: readonly Ordering[]
  readonly spec: RelationshipSpec<unknown>
}

export type Validator = (key: string, value: unknown, object: object) => unknown

export class Mapper {
  // Declared, not defined: the constructor sets them, and field definitions would be bytes in every bundle.
  /** The class instances are made of: the user's subclass once it has been seen, else the base. */
  declare cls: ModelConstructor
  declare readonly columnKeys: readonly string[]
  readonly validators = new Map<string, Validator[]>()
  /** Its relationships once resolved: see relationshipsOf. */
  declare resolvedRelationships: ReadonlyMap<string, RelationshipProperty> | undefined

  constructor(
    readonly registry: Registry,
    readonly base: ModelConstructor,
    readonly table: Table,
    readonly relationshipSpecs: ReadonlyMap<string, RelationshipSpec<unknown>>,
    /** The column that numbers versions of a row, for optimistic concurrency. */
    readonly versionColumn: Column<unknown> | undefined,
  ) {
    this.cls = base
    this.columnKeys = table.columns.map((col) => col.key)
  }

  get name(): string {
    return this.cls === this.base ? `model of "${this.table.name}"` : this.cls.name
  }

  get primaryKey(): readonly Column<unknown>[] {
    return this.table.primaryKey
  }

  /** Sees the user's subclass (`class User extends model(...)`), so rows hydrate into it. */
  adopt(cls: ModelConstructor): void {
    if (cls === this.cls || cls === this.base) return
    if (this.cls !== this.base && !(cls.prototype instanceof this.cls)) {
      throw new InvalidRequestError(
        `Two classes extend the same model of "${this.table.name}": ${this.cls.name} and ${cls.name}`,
      )
    }
    this.cls = cls
    this.registry.register(this)
  }
}

/**
 * A mapper's relationships, resolved on first use: resolving needs every target model to be known to the
 * registry. Functions rather than members of Mapper, which every read worker carries: only relationships
 * and the write path ask (a read worker's refresh asks the relationships plugin).
 */
export function relationshipsOf(mapper: Mapper): ReadonlyMap<string, RelationshipProperty> {
  // Relationship specs come from `relationship()`, which installs the plugin that resolves them.
  mapper.resolvedRelationships ??= plugins.relationships?.resolve(mapper) ?? new Map()
  return mapper.resolvedRelationships
}

export function relationshipOf(mapper: Mapper, key: string): RelationshipProperty {
  const found = relationshipsOf(mapper).get(key)
  if (!found) throw new InvalidRequestError(`${mapper.name} has no relationship "${key}"`)
  return found
}
