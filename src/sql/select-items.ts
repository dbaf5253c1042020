// What a select list is made of, and the protocol through which ORM entities take part in Core
// statements without Core knowing the ORM: an entity exposes its table and columns under ENTITY.
import { Expression } from "./expression.ts"
import type { Alias, Cte, FromClause, Subquery } from "./from.ts"
import type { Column } from "./schema/column.ts"
import type { ColumnSpecs, RowOf, Table } from "./schema/table.ts"
import { columnParents } from "./traverse.ts"

/** Protocol for ORM entities (and aliases of them) usable as select items and join targets. */
export const ENTITY: unique symbol = Symbol.for("edgealchemy.entity")

export interface EntityDescriptor {
  /** The table, alias, subquery or CTE the entity's columns come from. */
  readonly from: Table | Alias<ColumnSpecs> | Subquery | Cte
  readonly columns: readonly Column<unknown>[]
  /** What rows name it (Result.keys), when not its FROM item's name: an aliased model's. */
  readonly name?: string
}

export interface EntityLike {
  readonly [ENTITY]: EntityDescriptor
}

export type SelectItem = Expression<unknown> | Table | Alias<ColumnSpecs> | EntityLike

/** Phantom: marks a select item an outer join may leave without a row (see OuterJoined). */
declare const OUTER: unique symbol
type MaybeMissing = { readonly [OUTER]: true }

/**
 * The items after an outer join onto `target`: the joined entity, alias or table itself (a
 * relationship's target: the entity whose instances it yields) may be missing, so its value may be
 * null; a FULL join (`target` = unknown) makes every item so. Columns are not traced to their table at
 * the type level: a joined table's column keeps its own type.
 */
export type OuterJoined<Items extends readonly unknown[], Target> = {
  -readonly [K in keyof Items]: unknown extends Target
    ? Items[K] & MaybeMissing
    : IsJoined<Items[K], Target> extends true
      ? Items[K] & MaybeMissing
      : Items[K]
}

/** Whether a select item is what an outer join joined: the same entity, alias or table. */
type IsJoined<I, J> = J extends { readonly targetType: infer T }
  ? I extends abstract new (
      ...args: never[]
    ) => infer E
    ? [E] extends [T]
      ? true
      : false
    : false
  : [I] extends [J]
    ? [J] extends [I]
      ? true
      : false
    : false

/** The value a select item yields per row: an expression's value, a table's row, an entity's instance. */
export type ItemValue<I> = BaseItemValue<I> | (I extends MaybeMissing ? null : never)

type BaseItemValue<I> =
  I extends Expression<infer T>
    ? T
    : I extends Table<infer S>
      ? RowOf<S>
      : I extends Alias<infer S>
        ? RowOf<S>
        : I extends abstract new (
              ...args: never[]
            ) => infer E
          ? E
          : I extends { readonly entityType: infer E }
            ? E
            : never

export type RowOfItems<I extends readonly unknown[]> = { -readonly [K in keyof I]: ItemValue<I[K]> }

/**
 * A row as Core (a Connection, an Engine) gives it: the engine knows no ORM, so an entity item is the
 * array of its column values, which a session hydrates into an object.
 */
export type CoreRowOfItems<I extends readonly unknown[]> = {
  -readonly [K in keyof I]: I[K] extends abstract new (
    ...args: never[]
  ) => unknown
    ? unknown[]
    : I[K] extends { readonly entityType: unknown }
      ? unknown[]
      : ItemValue<I[K]>
}

export function isEntity(item: unknown): item is EntityLike {
  return (typeof item === "object" || typeof item === "function") && item !== null && ENTITY in item
}

export function fromOf(target: FromClause | EntityLike): FromClause {
  return isEntity(target) ? target[ENTITY].from : target
}

/** The FROM items a select's own items imply, in order of appearance, before any join. */
export function impliedFroms(items: readonly SelectItem[]): FromClause[] {
  const froms: FromClause[] = []
  for (const item of items) {
    const found = isEntity(item)
      ? [item[ENTITY].from]
      : item instanceof Expression
        ? (columnParents([item]) as FromClause[])
        : [item]
    for (const from of found) if (!froms.includes(from)) froms.push(from)
  }
  return froms
}

/** Protocol for join targets that are a path of hops, as ORM relationships are (`.join(User.posts)`). */
export const JOIN_PATH: unique symbol = Symbol.for("edgealchemy.joinPath")

export interface JoinHop {
  readonly from: FromClause
  readonly on: Expression<boolean>
  /** The FROM item the hop starts from: a relationship's parent (table or alias), an association table. */
  readonly left?: FromClause
}

/**
 * A join path joins itself: it gives `joinHop` its hops in order (one, or two through an association
 * table), `on`, an extra condition, narrowing the last (the target itself); the select joins each.
 */
export interface JoinPathLike {
  readonly [JOIN_PATH]: (on: Expression<boolean | null> | undefined, joinHop: (hop: JoinHop) => void) => void
}

export function isJoinPath(target: unknown): target is JoinPathLike {
  return typeof target === "object" && target !== null && JOIN_PATH in target
}
