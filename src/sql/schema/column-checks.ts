// What each column() of a table was told, checked where DDL is made (createAll, autogenerate) and where
// the ORM first writes the table (the flush), never when a column is defined, so that reads pay
// nothing for it (as ./identifier-limits.ts). column() takes its options from JavaScript callers, JSON
// and casts too, and ignored what it did not know: SQLAlchemy's `onupdate` left an updatedAt that never
// changed, `foreign_key` a column with no constraint, `server_default` a NOT NULL failure at the first
// INSERT; `nullable: "yes"` was NOT NULL, `String(0)` a column no value fits.
import { DataError, InvalidRequestError } from "../../errors.ts"
import { refuseUnknownOptions } from "../../util/known-options.ts"
import { checkedValue, installCapacityChecks } from "../value-checks.ts"
import type { Column, ColumnOptions, ForeignKeyOptions, ReferentialAction } from "./column.ts"
import { declaredConstraints, describedKey } from "./declared-constraints.ts"
import { isGeneratedKey, type Table, type TableOptions } from "./table.ts"

const COLUMN_OPTIONS: Readonly<Record<keyof ColumnOptions<unknown>, true>> = {
  primaryKey: true,
  nullable: true,
  default: true,
  onUpdate: true,
  serverDefault: true,
  unique: true,
  index: true,
  foreignKey: true,
  autoincrement: true,
  name: true,
}
const FLAGS = ["primaryKey", "nullable", "unique", "index", "autoincrement"] as const
const FOREIGN_KEY_OPTIONS: Readonly<Record<keyof ForeignKeyOptions, true>> = {
  references: true,
  onDelete: true,
  onUpdate: true,
  name: true,
}
const TABLE_OPTIONS: Readonly<Record<keyof TableOptions, true>> = {
  metadata: true,
  primaryKey: true,
  constraints: true,
  indexes: true,
  sqliteAutoincrement: true,
}
/** What model() passes on to its table beside the table's own options (it refuses others itself). */
const MODEL_OPTIONS = ["registry", "versionId", "hybrids"]
const ACTIONS: readonly ReferentialAction[] = ["CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"]

const checked = new WeakSet<Table>()

/** Checks each table once (the flush calls it for every table it writes). */
export function checkTableColumns(table: Table): void {
  if (checked.has(table)) return
  for (const col of table.columns) checkColumn(table, col)
  // A unique constraint or index over a column the table lacks (a typo) is refused here too, not only
  // by createAll and autogenerate: a flush writes to tables made elsewhere, and no longer refused such
  // a model when it was defined (c9bc0d7).
  declaredConstraints(table)
  checkTableOptions(table)
  for (const fk of table.foreignKeys) {
    for (const [which, action] of [
      ["onDelete", fk.options.onDelete],
      ["onUpdate", fk.options.onUpdate],
    ] as const) {
      if (action !== undefined && !ACTIONS.includes(action)) {
        throw new InvalidRequestError(
          `Foreign key ${describedKey(fk)} of table "${table.name}": ${which} is one of ${ACTIONS.join(", ")}, got ${JSON.stringify(action)}`,
        )
      }
    }
  }
  checked.add(table)
}

function checkColumn(table: Table, col: Column<unknown>): void {
  const options = col.spec?.options
  if (!options) return
  const where = `column "${col.key}" of table "${table.name}"`
  refuseUnknownOptions(where, options, Object.keys(COLUMN_OPTIONS))
  for (const flag of FLAGS) {
    const value = options[flag]
    if (value !== undefined && typeof value !== "boolean") {
      throw new InvalidRequestError(`${where}: ${flag} is true or false, got ${JSON.stringify(value)}`)
    }
  }
  if (options.name !== undefined && typeof options.name !== "string") {
    throw new InvalidRequestError(`${where}: name is the column's name in the database, a string`)
  }
  if (typeof options.foreignKey === "object") {
    refuseUnknownOptions(`${where}: foreignKey`, options.foreignKey, Object.keys(FOREIGN_KEY_OPTIONS))
  }
  if (options.primaryKey && !table.primaryKey.includes(col)) {
    throw new InvalidRequestError(
      `${where} is marked primaryKey, but the table's primaryKey option names ${table.primaryKey.map((c) => c.key).join(", ")}: ` +
        `mark the key's columns or name them in the option, not both differently`,
    )
  }
  checkTypeOptions(where, col)
  checkServerDefault(where, col)
}

/**
 * The table's options: none it does not know, and `sqliteAutoincrement`, SQLite's AUTOINCREMENT, which
 * SQLite takes on an `INTEGER PRIMARY KEY` only (the rowid): refused, on both databases, for a table
 * whose key is not one integer column the database generates, rather than ignored on one of them and
 * failing the other's CREATE TABLE.
 */
function checkTableOptions(table: Table): void {
  // table()'s options from JavaScript or a cast (SQLAlchemy's `sqlite_autoincrement`) were ignored.
  const given = Object.entries(table.options).filter(([key]) => !MODEL_OPTIONS.includes(key))
  refuseUnknownOptions(`table "${table.name}"`, Object.fromEntries(given), Object.keys(TABLE_OPTIONS))
  const value = table.options.sqliteAutoincrement
  const where = `table "${table.name}": sqliteAutoincrement`
  if (value === undefined || value === false) return
  if (value !== true) throw new InvalidRequestError(`${where} is true or false, got ${JSON.stringify(value)}`)
  const [key, ...others] = table.primaryKey
  if (key && others.length === 0 && isGeneratedKey(key)) return
  const options = key?.spec?.options ?? {}
  const why = !key
    ? "it has no primary key"
    : others.length > 0
      ? `its primary key has ${table.primaryKey.length} columns (${table.primaryKey.map((c) => c.key).join(", ")})`
      : !key.type.isInteger
        ? `its key "${key.key}" is no integer`
        : options.foreignKey !== undefined
          ? `its key "${key.key}" is a foreign key, whose values come from another table`
          : `its key "${key.key}" says autoincrement: false`
  throw new InvalidRequestError(
    `${where} needs a primary key of one integer column the database generates, and ${why}: remove the option`,
  )
}

/** Types whose values are not strings, for which a string default is SQL text the database reads. */
const SQL_TEXT_DEFAULTS = new Set(["datetime", "json", "binary"])

/**
 * A `serverDefault` given as a value is one the column holds, as a value written to it is: else the
 * databases store different values for one model (PostgreSQL rounds 1.5 in an Integer to 2 and "1.555"
 * in a Numeric(10, 2) to 1.56 and lowercases a UUID where SQLite keeps each as given; a too long String
 * failed each INSERT on PostgreSQL and was kept on SQLite). An integer's or a float's default may be
 * its decimal text ("2", exactly); a timestamp's, a document's or bytes' text is the database's to read.
 */
function checkServerDefault(where: string, col: Column<unknown>): void {
  const value = col.spec?.options.serverDefault
  const { kind } = col.type
  // An expression is SQL (of this package or, with models built by another copy of it, of that one).
  if (value === undefined || typeof value === "object") return
  if (typeof value === "string" && SQL_TEXT_DEFAULTS.has(kind)) return
  let written: unknown = value
  if (typeof value === "string" && col.type.isInteger) {
    written = /^[+-]?\d+$/.test(value) ? BigInt(value) : value
  } else if (typeof value === "string" && kind === "float" && Number(value) === parseFloat(value)) {
    // Decimal text only: Number reads '' as 0 and '0x10' as 16.
    written = Number(value)
  }
  installCapacityChecks()
  try {
    checkedValue(written, col.type, col)
  } catch (error) {
    if (!(error instanceof DataError)) throw error
    throw new InvalidRequestError(
      `${where}: serverDefault ${JSON.stringify(value)} is not a value the column holds (${error.message}); give one it holds, or SQL as literalColumn("...")`,
    )
  }
}

/** `String(n)` and `Numeric(p, s)`: sizes no value fits were refused only as each value was written. */
function checkTypeOptions(where: string, col: Column<unknown>): void {
  const { kind, options } = col.type
  const count = (value: number | undefined, name: string, least: number) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= least)) {
      throw new InvalidRequestError(
        `${where}: ${kind === "string" ? "String" : "Numeric"}'s ${name} is a whole number from ${least}, got ${String(value)}`,
      )
    }
  }
  if (kind === "string") count(options.length, "length", 1)
  if (kind !== "numeric") return
  count(options.precision, "precision", 1)
  count(options.scale, "scale", 0)
  const { precision, scale } = options
  if (precision !== undefined && scale !== undefined && scale > precision) {
    throw new InvalidRequestError(
      `${where}: Numeric(${precision}, ${scale}) keeps more digits after the point than in all (the scale ${scale} is over the precision ${precision}): Numeric(${scale}, ${precision})?`,
    )
  }
}
