// The registry of models: their MetaData, and the names relationships use to find their targets.
// JavaScript has no hook for "a class extends mine", so a model's class is learned when it is first
// used (constructed, selected, or one of its attributes read); `registerModels(...)` does it up front.
import { InvalidRequestError } from "../errors.ts"
import type { Column } from "../sql/schema/column.ts"
import type { ForeignKeyConstraint } from "../sql/schema/constraints.ts"
import { MetaData } from "../sql/schema/metadata.ts"
import type { Table } from "../sql/schema/table.ts"
import type { Mapper, ModelConstructor, RelationshipProperty } from "./mapper.ts"
import { mapperOf } from "./mapper-of.ts"
import type { Cascade, RelationshipSpec } from "./relationship.ts"

export class Registry {
  readonly metadata = new MetaData()
  readonly #byName = new Map<string, Mapper>()
  readonly #mappers = new Set<Mapper>()

  add(mapper: Mapper): void {
    this.#mappers.add(mapper)
  }

  /** Called when a mapper learns its class: relationships can now name it. */
  register(mapper: Mapper): void {
    const name = mapper.cls.name
    const existing = this.#byName.get(name)
    if (existing && existing !== mapper) {
      throw new InvalidRequestError(
        `Two models are named ${name} in one registry; relationships could not tell them apart`,
      )
    }
    this.#byName.set(name, mapper)
  }

  /** Makes models known by name before their first use: `registerModels(User, Post, Tag)`. */
  registerModels(...classes: ModelConstructor[]): void {
    for (const cls of classes) mapperOf(cls).adopt(cls)
  }

  mapperNamed(name: string, from: string): Mapper {
    const found = this.#byName.get(name)
    if (found) return found
    const known = [...this.#byName.keys()].join(", ") || "none yet"
    throw new InvalidRequestError(
      `${from} names the model "${name}", which this registry does not know (known: ${known}). ` +
        `Check the spelling, or make it known before use: registerModels(${name}, ...)`,
    )
  }

  resolveRelationships(mapper: Mapper): Map<string, RelationshipProperty> {
    const resolved = new Map<string, RelationshipProperty>()
    for (const [key, spec] of mapper.relationshipSpecs) {
      resolved.set(key, this.resolve(mapper, key, spec))
    }
    for (const property of resolved.values()) this.checkBackPopulates(property)
    return resolved
  }

  private resolve(parent: Mapper, key: string, spec: RelationshipSpec<unknown>): RelationshipProperty {
    const where = `${parent.name}.${key}`
    const target = this.mapperNamed(spec.target, where)
    const options = spec.options
    const common = {
      key,
      parent,
      target,
      spec,
      backPopulates: options.backPopulates,
      cascade: new Set<Cascade>(options.cascade ?? ["save-update"]),
      passiveDeletes: options.passiveDeletes === true,
    }
    if (options.secondary !== undefined) {
      const secondary =
        typeof options.secondary === "string" ? this.metadata.table(options.secondary) : options.secondary
      if (!secondary)
        throw new InvalidRequestError(`${where}: no association table "${String(options.secondary)}"`)
      return {
        ...common,
        direction: "many-to-many",
        uselist: true,
        pairs: linkPairs(secondary, parent.table, where, true),
        secondary: { table: secondary, pairs: linkPairs(secondary, target.table, where, false) },
      }
    }
    const outgoing = keysBetween(parent.table, target.table, options.foreignKey)
    const incoming = keysBetween(target.table, parent.table, options.foreignKey)
    const selfReferential = parent.table === target.table
    const manyToOne = selfReferential
      ? options.uselist === false
      : outgoing.length > 0 && incoming.length === 0
    const oneToMany = selfReferential
      ? options.uselist === true
      : incoming.length > 0 && outgoing.length === 0
    if (selfReferential && options.uselist === undefined) {
      throw new InvalidRequestError(
        `${where} links "${parent.table.name}" to itself: say which side it is with uselist: true (children) or false (parent)`,
      )
    }
    const fk = (manyToOne ? outgoing : incoming)[0]
    if ((!manyToOne && !oneToMany) || !fk || (manyToOne ? outgoing : incoming).length > 1) {
      throw new InvalidRequestError(
        `${where}: can't tell how "${parent.table.name}" and "${target.table.name}" are linked ` +
          `(${outgoing.length + incoming.length} foreign keys); name the column with { foreignKey: "..." }`,
      )
    }
    const [from, to] = manyToOne ? [parent.table, target.table] : [target.table, parent.table]
    const fkPairs = fk.columns.map(
      (k, i) => [from.requireColumn(k), to.requireColumn(fk.referencedColumns[i] as string)] as const,
    )
    return {
      ...common,
      direction: manyToOne ? "many-to-one" : "one-to-many",
      uselist: manyToOne ? false : options.uselist !== false,
      // (column on the parent's table, column on the target's table)
      pairs: manyToOne ? fkPairs : fkPairs.map(([child, referenced]) => [referenced, child] as const),
    }
  }

  private checkBackPopulates(property: RelationshipProperty): void {
    const back = property.backPopulates
    if (back === undefined) return
    const other = property.target.relationshipSpecs.get(back)
    const where = `${property.parent.name}.${property.key}`
    if (!other) {
      throw new InvalidRequestError(
        `${where} has backPopulates "${back}", but ${property.target.name} has no relationship "${back}"`,
      )
    }
    if (other.options.backPopulates !== property.key) {
      throw new InvalidRequestError(
        `${where} has backPopulates "${back}", but ${property.target.name}.${back} has backPopulates "${other.options.backPopulates ?? "(none)"}"; they must name each other`,
      )
    }
  }
}

function keysBetween(from: Table, to: Table, column: string | undefined): ForeignKeyConstraint[] {
  return from.foreignKeys.filter(
    (fk) =>
      fk.referencedTable === to.name &&
      (column === undefined || fk.columns.some((k) => from.requireColumn(k).key === column)),
  )
}

/** For an association table: (column of `side`, column of the association table) pairs, or reversed. */
function linkPairs(
  secondary: Table,
  side: Table,
  where: string,
  sideFirst: boolean,
): (readonly [Column<unknown>, Column<unknown>])[] {
  const fk = secondary.foreignKeys.find((k) => k.referencedTable === side.name)
  if (!fk)
    throw new InvalidRequestError(
      `${where}: association table "${secondary.name}" has no foreign key to "${side.name}"`,
    )
  return fk.columns.map((k, i) => {
    const link = secondary.requireColumn(k)
    const own = side.requireColumn(fk.referencedColumns[i] as string)
    return sideFirst ? ([own, link] as const) : ([link, own] as const)
  })
}

/** The registry models join unless `model(..., { registry })` names another. */
export const defaultRegistry = /* @__PURE__ */ new Registry()

export function registerModels(...classes: ModelConstructor[]): void {
  for (const cls of classes) mapperOf(cls).registry.registerModels(cls)
}
