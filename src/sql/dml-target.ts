// What INSERT, UPDATE and DELETE write to: a Core table, or anything that carries one under TABLE
// (ORM models do, so `insert(User)` and `update(User)` work without Core knowing the ORM).
import type { Expression, Operand } from "./expression.ts"
import type { ColumnSpecs, Table, ValueOf } from "./schema/table.ts"

export const TABLE: unique symbol = Symbol.for("edgealchemy.table")

export interface HasTable<S extends ColumnSpecs> {
  readonly [TABLE]: Table<S>
}

export type DmlTarget<S extends ColumnSpecs> = Table<S> | HasTable<S>

export function tableOf<S extends ColumnSpecs>(target: DmlTarget<S>): Table<S> {
  return TABLE in target ? target[TABLE] : target
}

/** A column's new value: a plain value or an expression (`{ views: Post.views.add(1) }`). */
export type ValueOrExpression<T> = T | Operand<T> | Expression<T>

/** Values for UPDATE ... SET: any subset of the columns. */
export type UpdateValues<S extends ColumnSpecs> = { [K in keyof S]?: ValueOrExpression<ValueOf<S[K]>> }

/**
 * Values as given, less the keys set to `undefined`: a key left undefined (`{ bio: body.bio }`) is left
 * out, as the ORM's flush leaves it, so its default applies; it is never written as NULL.
 */
export function givenValues<R extends object>(values: R): R {
  return Object.values(values).includes(undefined)
    ? (Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as R)
    : values
}
