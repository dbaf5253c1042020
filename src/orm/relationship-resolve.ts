// Relationships resolved: each relationship's target model, direction and join columns, worked out from
// the foreign keys between the two tables (or through the association table) on first use, when every
// model it names is known to the registry. Reached through the relationships plugin (./relationships.ts),
// so an app whose models declare no relationship carries none of this.
import { InvalidRequestError } from "../errors.ts"
import type { Ordering } from "../sql/expression.ts"
import { Column } from "../sql/schema/column.ts"
import type { ForeignKeyConstraint } from "../sql/schema/constraints.ts"
import type { Table } from "../sql/schema/table.ts"
import type { Mapper, RelationshipProperty } from "./mapper.ts"
import { type Registry, registriesInUse } from "./registry.ts"
import { type Cascade, orderingsOf, type RelationshipOptions, type RelationshipSpec } from "./relationship.ts"

/** A mapper's relationships with their targets and join columns worked out (relationshipsOf, ./mapper.ts). */
export function resolveRelationships(mapper: Mapper): Map<string, RelationshipProperty> {
  const resolved = new Map<string, RelationshipProperty>()
  for (const [key, spec] of mapper.relationshipSpecs) {
    resolved.set(key, resolve(mapper, key, spec))
  }
  for (const property of resolved.values()) {
    checkBackPopulates(property)
    checkOrphans(property)
    if (property.target === mapper) checkSelfSides(property, resolved)
  }
  return resolved
}

/**
 * delete-orphan acts here on a one-to-many's children taken out of its collection. On a many-to-one or a
 * many-to-many it did nothing, silently: an object taken out stayed, where SQLAlchemy deletes it (with
 * `single_parent`, and refuses the cascade without it).
 */
function checkOrphans(property: RelationshipProperty): void {
  if (property.direction === "one-to-many" || !property.cascade.has("delete-orphan")) return
  const where = `${property.parent.name}.${property.key}`
  throw new InvalidRequestError(
    `${where} is ${property.direction}: delete-orphan deletes the children a one-to-many collection loses, and would do nothing here; ` +
      `put it on the one-to-many side (the ${property.target.name} relationship that lists ${property.parent.name} objects), or leave it out of ${where}'s cascade`,
  )
}

/**
 * Of a table linked to itself, one side holds the key (uselist: false) and the other is the rows pointing
 * at it (uselist: true). Declared alike, both sides wrote the key: `a.next = b` stored a's key in b and
 * b's in a, a cycle the application never made.
 */
function checkSelfSides(
  property: RelationshipProperty,
  resolved: ReadonlyMap<string, RelationshipProperty>,
): void {
  const other = property.backPopulates === undefined ? undefined : resolved.get(property.backPopulates)
  if (!other || other.direction !== property.direction || property.direction === "many-to-many") return
  const columns = property.pairs.map(
    ([own, remote]) => (property.direction === "many-to-one" ? own : remote).key,
  )
  throw new InvalidRequestError(
    `${property.parent.name}.${property.key} and ${property.parent.name}.${other.key} back-populate each other, but both are ${property.direction} over ${columns.join(", ")} (uselist: ${property.uselist} on both): ` +
      `of a table linked to itself, one side is the parent, holding the key (uselist: false), and the other the children that point at it (uselist: true)`,
  )
}

function resolve(parent: Mapper, key: string, spec: RelationshipSpec<unknown>): RelationshipProperty {
  const where = `${parent.name}.${key}`
  const { registry } = parent
  const target = registry.models.get(spec.target) ?? unknownModel(registry, spec.target, where)
  const options = spec.options
  const common = {
    key,
    parent,
    target,
    spec,
    backPopulates: options.backPopulates,
    // Normalized by relationship() (./relationship.ts): the unit of work's own names only.
    cascade: new Set<Cascade>((options.cascade as readonly Cascade[] | undefined) ?? ["save-update"]),
    passiveDeletes: options.passiveDeletes === true,
    orderBy: orderOf(options.orderBy, target, where),
  }
  if (options.secondary !== undefined) {
    const secondary =
      typeof options.secondary === "string" ? registry.metadata.table(options.secondary) : options.secondary
    if (!secondary) {
      // Most often the table is there but declared without { metadata } (SQLAlchemy's Table takes its
      // MetaData as an argument; table() leaves it out by default), so no registry can find it.
      const known = registry.metadata.tables.map((t) => t.name).join(", ")
      throw new InvalidRequestError(
        `${where}: no association table "${String(options.secondary)}" in the models' MetaData (it has ${known}): check the name, or declare it with table("${String(options.secondary)}", { ... }, { metadata }), metadata being the registry's (defaultRegistry.metadata)`,
      )
    }
    // Each side by its own foreign key: a self-referential association (follower, followed) has two to
    // one table, and taking the first for both sides linked every row to itself.
    const toParent = associationKey(secondary, parent.table, where, options.foreignKey)
    const toTarget = associationKey(secondary, target.table, where, options.foreignKey, toParent)
    return {
      ...common,
      direction: "many-to-many",
      uselist: true,
      pairs: linkPairs(secondary, parent.table, toParent, true),
      secondary: { table: secondary, pairs: linkPairs(secondary, target.table, toTarget, false) },
    }
  }
  const outgoing = keysBetween(parent.table, target.table, options.foreignKey)
  const incoming = keysBetween(target.table, parent.table, options.foreignKey)
  const selfReferential = parent.table === target.table
  const manyToOne = selfReferential ? options.uselist === false : outgoing.length > 0 && incoming.length === 0
  const oneToMany = selfReferential ? options.uselist === true : incoming.length > 0 && outgoing.length === 0
  if (selfReferential && options.uselist === undefined) {
    throw new InvalidRequestError(
      `${where} links "${parent.table.name}" to itself: pass uselist: true (children) or false (parent)`,
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

/**
 * A collection's orderings, each by a column of the target's table: what its loads select, by whatever
 * loader (an aliased or other table's column, or a computed expression, would not be in their rows).
 */
function orderOf(option: RelationshipOptions["orderBy"], target: Mapper, where: string): Ordering[] {
  if (option === undefined) return []
  const orderings = orderingsOf(typeof option === "function" ? option() : option, where)
  for (const { operand } of orderings) {
    if (target.table.columns.includes(operand as Column<unknown>)) continue
    const from = operand instanceof Column ? operand.parent.qualifier : undefined
    throw new InvalidRequestError(
      `${where}: orderBy names ${from ? `${from}.${(operand as Column<unknown>).key}, a column of "${from}"` : `an expression (${operand.kind}), not a column`}, but a collection of ${target.name} orders by columns of "${target.table.name}" only: ` +
        `name them as ${target.name}.<column> (${target.name}.${target.table.columns[0]?.key}.desc()), and order by anything else in a query of their own`,
    )
  }
  return orderings
}

function unknownModel(registry: Registry, name: string, where: string): never {
  const known = [...registry.models.keys()].join(", ") || "none yet"
  // registerModels(Author, Book) of two registries (a model given { registry } by mistake) succeeds, and
  // "call registerModels(Book)" alone would send its caller round in a circle. Both are said: a registry
  // of its own may hold a Book it has not learned yet (its class not used yet), beside another's Book.
  if ([...registriesInUse].some((other) => other !== registry && other.models.has(name))) {
    throw new InvalidRequestError(
      `${where} names the model "${name}", unknown to its registry (known: ${known}) but known to another: relationships link models of one registry, so declare both in it (model(..., { registry })), or, if its registry has a ${name} too, call registerModels(${name}, ...) first`,
    )
  }
  throw new InvalidRequestError(
    `${where} names the model "${name}", unknown to its registry (known: ${known}): ` +
      `check the spelling, or call registerModels(${name}, ...) first`,
  )
}

function checkBackPopulates(property: RelationshipProperty): void {
  const back = property.backPopulates
  if (back === undefined) return
  const other = property.target.relationshipSpecs.get(back)
  const where = `${property.parent.name}.${property.key}`
  if (!other) {
    // What to declare there: the other side of a one-to-many is one object, of the others a list.
    const type = `${property.parent.name}${property.direction === "one-to-many" ? "" : "[]"}`
    const secondary = property.secondary ? `secondary: "${property.secondary.table.name}", ` : ""
    throw new InvalidRequestError(
      `${where} has backPopulates "${back}", but ${property.target.name} has no relationship "${back}": ` +
        `declare ${back}: relationship<${type}>("${property.parent.name}", { ${secondary}backPopulates: "${property.key}" }) ` +
        `in ${property.target.name}, or leave backPopulates out`,
    )
  }
  if (other.options.backPopulates !== property.key) {
    throw new InvalidRequestError(
      `${where} has backPopulates "${back}", but ${property.target.name}.${back} has backPopulates "${other.options.backPopulates ?? "(none)"}"; they must name each other`,
    )
  }
}

function keysBetween(from: Table, to: Table, column: string | undefined): ForeignKeyConstraint[] {
  return from.foreignKeys.filter(
    (fk) =>
      fk.referencedTable === to.name &&
      (column === undefined || fk.columns.some((k) => from.requireColumn(k).key === column)),
  )
}

/**
 * The association table's foreign key to `side`: the only one, or, where it has several to that table,
 * the one holding the `foreignKey` column named (the parent's side of a self-referential association),
 * never the one `taken` by the other side.
 */
function associationKey(
  secondary: Table,
  side: Table,
  where: string,
  column: string | undefined,
  taken?: ForeignKeyConstraint,
): ForeignKeyConstraint {
  let keys = keysBetween(secondary, side, undefined).filter((fk) => fk !== taken)
  if (keys.length > 1 && column !== undefined) {
    keys = keys.filter((fk) => fk.columns.some((k) => secondary.requireColumn(k).key === column))
  }
  if (keys.length === 1) return keys[0] as ForeignKeyConstraint
  throw new InvalidRequestError(
    keys.length === 0
      ? `${where}: association table "${secondary.name}" has no foreign key to "${side.name}"`
      : `${where}: association table "${secondary.name}" has ${keys.length} foreign keys to "${side.name}"; ` +
          `name the column that points at the ${taken ? "target" : "parent"} with { foreignKey: "..." }`,
  )
}

/** For an association table: (column of `side`, column of the association table) pairs, or reversed. */
function linkPairs(
  secondary: Table,
  side: Table,
  fk: ForeignKeyConstraint,
  sideFirst: boolean,
): (readonly [Column<unknown>, Column<unknown>])[] {
  return fk.columns.map((k, i) => {
    const link = secondary.requireColumn(k)
    const own = side.requireColumn(fk.referencedColumns[i] as string)
    return sideFirst ? ([own, link] as const) : ([link, own] as const)
  })
}
