// A collection of tables: resolves foreign keys by table name and orders DDL by them.
import { InvalidRequestError } from "../../errors.ts"
import { topologicalSort } from "../../util/topological-sort.ts"
import { describedKey } from "./declared-constraints.ts"
import type { Table } from "./table.ts"

export class MetaData {
  readonly #tables = new Map<string, Table>()

  /** Called by `table(...)` with `{ metadata }`; a second table of the same name is an error. */
  add(table: Table): void {
    const existing = this.#tables.get(table.name)
    if (existing && existing !== table) {
      throw new InvalidRequestError(`Table "${table.name}" is already defined in this MetaData`)
    }
    this.#tables.set(table.name, table)
  }

  get tables(): readonly Table[] {
    return [...this.#tables.values()]
  }

  table(name: string): Table | undefined {
    return this.#tables.get(name)
  }
}

/** The table a foreign key of `referencedFrom` references; a function, as only what orders tables needs it. */
function requireTable(metadata: MetaData, name: string, referencedFrom: string): Table {
  const found = metadata.table(name)
  if (!found) {
    const known = metadata.tables.map((table) => table.name).join(", ") || "none"
    throw new InvalidRequestError(
      `${referencedFrom} references table "${name}", which this MetaData does not define (known: ${known})`,
    )
  }
  return found
}

/**
 * The tables of `metadata` in foreign-key order: referenced tables first. Tables on a cycle come last,
 * in definition order; their foreign keys then need the database to defer the check (see ../ddl.ts).
 * A function rather than a method, so that only what orders tables (DDL, the flush) carries it.
 */
export function sortedTables(metadata: MetaData): { sorted: Table[]; cyclic: Table[] } {
  return topologicalSort(metadata.tables, (table) =>
    table.foreignKeys.map((fk) =>
      requireTable(metadata, fk.referencedTable, `Foreign key ${describedKey(fk)} of ${table.name}`),
    ),
  )
}
