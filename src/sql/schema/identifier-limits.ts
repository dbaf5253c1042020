// The names a model or a migration may create, checked where DDL is made (createAll, autogenerate, a
// revision's operations) and never when a table is defined, so that reads pay nothing for it.
// PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN - 1) and cuts the rest with only a
// NOTICE: two names alike in those bytes become one, and createAll's CREATE INDEX IF NOT EXISTS then
// skips the second index without a word (a unique index that does not exist). A name the user gave
// that is too long is refused, as SQLAlchemy refuses one; names made by convention are shortened with
// a hash (./constraints.ts). SQLite has no limit, but a model is held to it there too: it must run on both.

import { InvalidRequestError } from "../../errors.ts"
import { conventionalName, nameBytes } from "./constraints.ts"
import { declaredConstraints } from "./declared-constraints.ts"
import type { MetaData } from "./metadata.ts"
import type { Table } from "./table.ts"

/** The longest name PostgreSQL keeps whole, in bytes of UTF-8. */
export const MAX_NAME_BYTES = 63

/**
 * Refuses a name no database of ours keeps as given: empty or blank, with a NUL, or longer than 63
 * bytes. `what` says what it names: `Index name`, `Column name of table "users"`.
 */
export function checkName(name: string, what: string): void {
  const shown = JSON.stringify(name)
  if (name.trim() === "")
    throw new InvalidRequestError(`${what} ${shown} is ${name ? "blank" : "empty"}: give it a name`)
  if (name.includes("\u0000"))
    throw new InvalidRequestError(
      `${what} ${shown} contains a NUL character, which no database accepts in a name`,
    )
  const bytes = nameBytes(name)
  if (bytes > MAX_NAME_BYTES) {
    throw new InvalidRequestError(
      `${what} ${shown} is ${bytes} bytes long (UTF-8), over PostgreSQL's limit of ${MAX_NAME_BYTES} bytes: ` +
        `PostgreSQL would cut it to ${JSON.stringify(cut(name))} without an error, and names alike in their ` +
        `first ${MAX_NAME_BYTES} bytes would become one. Give it a name of at most ${MAX_NAME_BYTES} bytes ` +
        `(held on SQLite too, so that the same models run on both)`,
    )
  }
}

/** Every name a table's DDL creates: the table's, its columns', its constraints' and indexes'. */
export function checkTableNames(table: Table): void {
  checkName(table.name, "Table name")
  const of = `of table ${JSON.stringify(table.name)}`
  for (const col of table.columns) checkName(col.name, `Column name ${of}`)
  const { indexes, uniques, foreignKeys, checks } = declaredConstraints(table)
  for (const ix of indexes) if (ix.name !== undefined) checkName(ix.name, `Index name ${of}`)
  for (const item of [...uniques, ...foreignKeys, ...checks])
    if (item.name !== undefined) checkName(item.name, `Constraint name ${of}`)
}

/**
 * Every table's names, and the names PostgreSQL keeps in one namespace per schema (tables, indexes,
 * and the indexes behind unique constraints and primary keys) used once: a second CREATE INDEX IF NOT
 * EXISTS of a name already taken is skipped without an error. SQLite keeps them in one namespace too,
 * and takes names that differ only in the case of ASCII letters for one ("Users", "users").
 */
export function checkMetadataNames(metadata: MetaData): void {
  const owners = new Map<string, [name: string, what: string]>()
  const claim = (name: string, what: string) => {
    const folded = name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())
    const [firstName, first] = owners.get(folded) ?? []
    if (first === undefined) owners.set(folded, [name, what])
    else if (firstName === name) {
      throw new InvalidRequestError(
        `The name ${JSON.stringify(name)} is given to both ${first} and ${what}: PostgreSQL keeps table, ` +
          `index and unique constraint names in one namespace, and the second would not be created ` +
          `(CREATE INDEX IF NOT EXISTS skips it without an error). Give one of them another name`,
      )
    } else {
      throw new InvalidRequestError(
        `The name ${JSON.stringify(name)} is given to ${what}, and ${JSON.stringify(firstName)} to ${first}: ` +
          `SQLite takes names that differ only in the case of ASCII letters for one, and the second would ` +
          `not be created (CREATE ... IF NOT EXISTS skips it without an error). Give one of them another name`,
      )
    }
  }
  for (const table of metadata.tables) checkTableNames(table)
  for (const table of metadata.tables) {
    const of = `of table ${JSON.stringify(table.name)}`
    claim(table.name, `table ${JSON.stringify(table.name)}`)
    if (table.primaryKey.length > 1) claim(primaryKeyName(table), `the primary key ${of}`)
    const { indexes, uniques } = declaredConstraints(table)
    for (const ix of indexes) if (ix.name !== undefined) claim(ix.name, `an index ${of}`)
    for (const uq of uniques) if (uq.name !== undefined) claim(uq.name, `a unique constraint ${of}`)
  }
}

/** The name createAll gives a composite primary key (a single-column one is PostgreSQL's `<table>_pkey`). */
export function primaryKeyName(table: Table): string {
  return conventionalName("pk", table.name, [])
}

/** The first 63 bytes of a name, as PostgreSQL keeps them (it cuts between characters). */
function cut(name: string): string {
  let kept = ""
  for (const char of name) {
    if (nameBytes(kept + char) > MAX_NAME_BYTES) break
    kept += char
  }
  return kept
}
