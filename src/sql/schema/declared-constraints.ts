// What a table declares besides its columns, as DDL and migrations write it: its foreign keys, unique
// constraints, CHECKs (an enum column's among them) and indexes, each one the model left unnamed named
// by the convention (fk_/uq_/ck_/ix_ + table + columns), so that migrations can find it by name later.
// Worked out on first use, not when the table is defined: a worker that only reads never asks, and
// its bundle leaves this out.
import { cached } from "../../util/cached.ts"
import {
  CheckConstraint,
  conventionalName,
  ForeignKeyConstraint,
  Index,
  UniqueConstraint,
} from "./constraints.ts"
import type { Table } from "./table.ts"

export interface DeclaredConstraints {
  readonly foreignKeys: readonly ForeignKeyConstraint[]
  readonly uniques: readonly UniqueConstraint[]
  readonly checks: readonly CheckConstraint[]
  readonly indexes: readonly Index[]
}

const byTable = new WeakMap<Table, DeclaredConstraints>()

/** A foreign key in a message: its name where the model gave one, else its columns. */
export function describedKey(fk: ForeignKeyConstraint): string {
  return fk.name ?? `(${fk.columns.join(", ")})`
}

export function declaredConstraints(table: Table): DeclaredConstraints {
  return cached(byTable, table, () => declared(table))
}

function declared(table: Table): DeclaredConstraints {
  const named = (prefix: "fk" | "uq" | "ck" | "ix", keys: readonly string[], ...more: string[]) =>
    conventionalName(prefix, table.name, [...keys.map((key) => table.requireColumn(key).name), ...more])
  const uniques: UniqueConstraint[] = []
  const checks: CheckConstraint[] = []
  const indexes: Index[] = []
  const uniqueIndexes: Index[] = []
  for (const col of table.columns) {
    const { unique, index } = col.spec?.options ?? {}
    if (index) (unique ? uniqueIndexes : indexes).push(new Index(named("ix", [col.key]), [col.key], !!unique))
    else if (unique) uniques.push(new UniqueConstraint([col.key], named("uq", [col.key])))
    // Enum columns are portable VARCHARs guarded by a CHECK of their values.
    const values = col.type.kind === "enum" ? col.type.options.values : undefined
    if (values) checks.push(new CheckConstraint(col.in(values), named("ck", [col.key])))
  }
  for (const item of table.options.constraints ?? []) {
    if (item instanceof CheckConstraint) checks.push(item)
    else if (item.kind === "unique")
      uniques.push(item.name ? item : new UniqueConstraint(item.columns, named("uq", item.columns)))
  }
  const foreignKeys = table.foreignKeys.map((fk) =>
    fk.name
      ? fk
      : new ForeignKeyConstraint(fk.columns, fk.referencedTable, fk.referencedColumns, {
          ...fk.options,
          name: named("fk", fk.columns, fk.referencedTable),
        }),
  )
  const given = (table.options.indexes ?? []).map((ix) =>
    ix.name ? ix : new Index(named("ix", ix.columns), ix.columns, ix.unique),
  )
  for (const item of [...uniques, ...indexes, ...uniqueIndexes, ...given])
    for (const key of item.columns) table.requireColumn(key)
  return Object.freeze({
    foreignKeys: Object.freeze(foreignKeys),
    uniques: Object.freeze(uniques),
    checks: Object.freeze(checks),
    indexes: Object.freeze([...indexes, ...uniqueIndexes, ...given]),
  })
}
