// The SQLite table rebuild ("batch mode" in Alembic): what ALTER TABLE cannot change is changed by
// creating the table anew and copying its rows. It runs inside the revision's transaction, where
// SQLite ignores `PRAGMA foreign_keys = OFF`, so foreign keys stay on and the rebuild must not trip
// them: dropping a referenced table would delete (or cascade into) the rows that point at it. So the
// tables that reference it, transitively, are rebuilt with it, unchanged:
//
//   1. copy each affected table's rows aside (CREATE TABLE backup AS SELECT)
//   2. drop the affected tables, referencing ones first: no row is ever orphaned or cascaded
//   3. create them again, referenced first (the changed one with its new definition)
//   4. copy the rows back, drop the copies, recreate the indexes and triggers
//
// `defer_foreign_keys` lets rows come back in any order (self-references, cycles); the checks run at
// COMMIT, when every row is back. Each copy keeps its columns' stored values (CREATE TABLE AS gives a
// column the affinity of its source), so nothing is converted on the way through, and each row's
// rowid: a table without an INTEGER PRIMARY KEY would otherwise number its rows anew, and whatever
// points at its rowids (an FTS index's content_rowid, an app's cache) would find other rows. A table
// that had AUTOINCREMENT keeps its sqlite_sequence number too (DROP TABLE deletes it): copying the
// rows back would set it to their highest id, and the ids of rows deleted from the end would be given again.
// A table rebuilt without AUTOINCREMENT (a downgrade) has no sequence, but the number stays in
// sqlite_sequence under its name: SQLite ignores it for such a table, carries it through a rename, and
// takes it up when the table gets AUTOINCREMENT again, so that no id it gave before is given again then.
import { InvalidRequestError } from "../errors.ts"
import type { Compiler } from "../sql/compiler/compiler.ts"
import { createIndexSql, createTableSql } from "./ddl.ts"

import {
  type ColumnSchema,
  type DatabaseSchema,
  type TableSchema,
  tablesInDependencyOrder,
} from "./schema.ts"
import { requireTable } from "./simulate.ts"
import { folded, mentionsColumn } from "./sql-names.ts"
import { triggerGuards } from "./trigger-guard.ts"

const BACKUP_PREFIX = "_edgealchemy_copy_"

interface Copy {
  readonly kept: readonly ColumnSchema[]
  /** The copy's columns (c0, c1, ...) that fill `kept`. */
  readonly sources: readonly string[]
  /** The names of the rowid in the old table and the new one, when the rowid is copied on its own. */
  readonly rowid: { readonly from: string; readonly to: string } | undefined
}

export function rebuildTable(
  name: string,
  before: DatabaseSchema,
  after: DatabaseSchema,
  /** New column name -> old column name, for renames done by this rebuild. */
  renamed: ReadonlyMap<string, string>,
  compiler: Compiler,
): string[] {
  const q = (n: string) => compiler.quote(n)
  const old = requireTable(before, name)
  const affected = [old, ...referencingTables(name, before)]
  const asWritten = [...(old.triggers ?? []), ...(old.handMadeIndexes ?? []).map((ix) => ix.sql)]
  for (const [to, from] of renamed) {
    if (asWritten.some((sql) => mentionsColumn(sql, from))) {
      throw new InvalidRequestError(
        `Renaming ${name}.${from} to ${to} in a rebuild would leave the triggers or indexes that use it naming ` +
          `${from}: rename it on its own (op.alterColumn with only newName, which SQLite does in place, ` +
          "rewriting them), then change the rest",
      )
    }
  }
  for (const table of affected) {
    if (table.renamedInRevision) {
      throw new InvalidRequestError(
        `Changing ${name} rebuilds table ${table.name}, renamed (or a column of it) earlier in this revision, ` +
          "or whose triggers use a table or column renamed there: SQLite wrote the new names into its triggers and " +
          "indexes, which the rebuild would write again as they were; put the rebuild in a revision of its own",
      )
    }
    if (table.alteredInRevision) {
      throw new InvalidRequestError(
        `Changing ${name} rebuilds table ${table.name}, which op.execute() altered since its schema was read ` +
          `(${table.alteredInRevision}): the rebuild writes the table as it was read, and would lose that change; ` +
          "put the rebuild in a revision of its own (the runner reads the schema again after a revision that runs SQL), " +
          "or make the change with an operation (op.addColumn...)",
      )
    }
    if (table.rebuildLoses?.length) {
      throw new InvalidRequestError(
        `Changing ${name} rebuilds table ${table.name}, which would lose ${table.rebuildLoses.join(", ")}: ` +
          "SQLite cannot ALTER this; write the rebuild by hand with op.execute()",
      )
    }
  }
  // Every affected table is created as it is after the operation: the referencing ones are unchanged
  // but for foreign keys that follow a renamed column.
  const created = tablesInDependencyOrder(affected.map((t) => requireTable(after, t.name)))
  const backup = (table: TableSchema) => q(`${BACKUP_PREFIX}${table.name}`)

  /** How each affected table's rows come back: the new table's columns from the copy's. */
  const copies = new Map<string, Copy>(
    created.map((table) => {
      const previous = affected.find((t) => t.name === table.name) as TableSchema
      // The renames are the changed table's: a referencing table is copied column for column.
      const source = (column: string) => (table.name === name ? renamed.get(column) : undefined) ?? column
      const at = (c: { name: string }) => previous.columns.findIndex((p) => p.name === source(c.name))
      const kept = table.columns.filter((c) => at(c) !== -1)
      // A copied rowid alias column carries the rowid already; a hidden rowid cannot be copied.
      const alias = rowidAlias(table)
      const rowid = alias && kept.includes(alias) ? undefined : rowidName(table)
      const from = rowid && rowidName(previous)
      return [
        table.name,
        { kept, sources: kept.map((c) => `c${at(c)}`), rowid: from ? { from, to: rowid } : undefined },
      ]
    }),
  )
  const copyAside = (t: TableSchema) => {
    const rowid = copies.get(t.name)?.rowid
    const columns = t.columns.map((c, i) => `${q(c.name)} AS c${i}`)
    return `CREATE TABLE ${backup(t)} AS SELECT ${[...(rowid ? [`${rowid.from} AS r`] : []), ...columns].join(", ")} FROM ${q(t.name)}`
  }
  const copyBack = (table: TableSchema): string => {
    const { kept, sources, rowid } = copies.get(table.name) as Copy
    const targets = [...(rowid ? [rowid.to] : []), ...kept.map((c) => q(c.name))]
    return `INSERT INTO ${q(table.name)} (${targets.join(", ")}) SELECT ${[...(rowid ? ["r"] : []), ...sources].join(", ")} FROM ${backup(table)}`
  }

  // The sequence is kept aside under the copy's name in sqlite_sequence itself (there since the table
  // was created AUTOINCREMENT), and given back to the new table before its rows, which can only raise it.
  // A table that loses AUTOINCREMENT keeps it too, unused until AUTOINCREMENT comes back; one that gains
  // it finds there the number an earlier downgrade kept, if any (its DROP TABLE deletes no such row).
  const sequenced = created.filter((t) => keepsSequence(requireTable(before, t.name)))
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`
  const sequence = (t: TableSchema) => [literal(`${BACKUP_PREFIX}${t.name}`), literal(t.name)]

  return [
    "PRAGMA defer_foreign_keys = ON",
    // The copies' columns are named by position (c0, c1, ...): CREATE TABLE AS renames a column called
    // true or false (to column2, ...), even under an alias of that name.
    ...affected.map(copyAside),
    ...sequenced.map((t) => {
      const [aside, own] = sequence(t)
      return `INSERT INTO sqlite_sequence (name, seq) SELECT ${aside}, seq FROM sqlite_sequence WHERE name = ${own}`
    }),
    ...[...tablesInDependencyOrder(affected)].reverse().map((t) => `DROP TABLE ${q(t.name)}`),
    ...created.map((t) => createTableSql(t, compiler)),
    ...sequenced.map((t) => {
      const [aside, own] = sequence(t)
      return `UPDATE sqlite_sequence SET name = ${own} WHERE name = ${aside}`
    }),
    ...created.map(copyBack),
    ...valueGuards(created, copies, affected, backup, q),
    foreignKeyGuard(created),
    // Every row is back and holds: the revision's later statements are checked at once again (deferred,
    // a violation of theirs would fail the COMMIT, see foreignKeyGuard).
    "PRAGMA defer_foreign_keys = OFF",
    ...affected.map((t) => `DROP TABLE ${backup(t)}`),
    ...created.flatMap((t) => t.indexes.map((ix) => createIndexSql(ix, t.name, compiler))),
    // Triggers and hand-made indexes went with their tables; they come back as written (an index using
    // a column the rebuild removed fails here, and the whole revision with it; a trigger, at its guard).
    ...created.flatMap((t) => [...(t.handMadeIndexes ?? []).map((ix) => ix.sql), ...(t.triggers ?? [])]),
    viewGuard(created),
    ...triggerGuards(created, after, compiler),
  ]
}

const VALUE_GUARD = "SELECT json_extract('{}', 'Changing "

/**
 * Fails when a column whose type the rebuild changes took a value other than the one copied: SQLite
 * converts a value to the new column's affinity without an error, keeping only 15 significant digits
 * of text made a number (a NUMERIC, INTEGER or REAL column) or of a REAL made text, and a REAL column
 * makes an integer a double. PostgreSQL's rounding guard (render-postgres.ts) refuses the same changes.
 * Text is compared by its significant digits (SQLite converts it exactly or rounds it; '1.10' and '007'
 * are the numbers 1.1 and 7, no change), numbers by value. The message rides on json_extract's error,
 * which quotes the path it was given: plain SQL has no other way to fail with words of its own.
 */
function valueGuards(
  created: readonly TableSchema[],
  copies: ReadonlyMap<string, Copy>,
  affected: readonly TableSchema[],
  backup: (table: TableSchema) => string,
  q: (name: string) => string,
): string[] {
  return created.flatMap((table) => {
    const previous = affected.find((t) => t.name === table.name) as TableSchema
    const { kept, sources, rowid } = copies.get(table.name) as Copy
    const alias = rowidAlias(table)
    // The new row of a copied one: by the rowid copied, or by the key that is the rowid.
    const at = rowid ? "r" : alias && kept.includes(alias) ? sources[kept.indexOf(alias)] : undefined
    if (at === undefined) return []
    return kept.flatMap((column, i) => {
      const source = sources[i] as string
      const was = previous.columns[Number(source.slice(1))]
      // Under the same affinity SQLite converts nothing (VARCHAR(50) made VARCHAR(100)).
      if (was === undefined || affinity(was.type) === affinity(column.type)) return []
      const o = `b.${source}`
      const n = `n.${q(column.name)}`
      const digits = (v: string) => {
        const t = `trim(CAST(${v} AS TEXT))`
        const mantissa = `CASE WHEN instr(lower(${t}), 'e') > 0 THEN substr(${t}, 1, instr(lower(${t}), 'e') - 1) ELSE ${t} END`
        return `rtrim(ltrim(replace(replace(replace(${mantissa}, '-', ''), '+', ''), '.', ''), '0'), '0')`
      }
      const changed =
        `typeof(${o}) <> typeof(${n}) AND CASE typeof(${o}) ` +
        `WHEN 'text' THEN ${digits(o)} <> ${digits(n)} ` +
        `WHEN 'integer' THEN typeof(${n}) = 'real' AND ${n} <> ${o} ` +
        `WHEN 'real' THEN typeof(${n}) = 'text' AND CAST(${n} AS REAL) <> ${o} ELSE 0 END`
      // A double in full: SQLite's own text of it has 15 digits, and 0.1 + 0.2 would become 0.3 "to 0.3".
      const shown = (v: string) =>
        `CASE typeof(${v}) WHEN 'real' THEN printf('%!.17g', ${v}) ELSE CAST(${v} AS TEXT) END`
      const name = `${table.name}.${column.name} to ${column.type}`.replaceAll("'", "''")
      return [
        `${VALUE_GUARD}${name} would change its values (' || ${shown(o)} || ' would become ' || ${shown(n)} || ')') ` +
          `FROM ${backup(table)} b JOIN ${q(table.name)} n ON n.rowid = b.${at} WHERE ${changed} LIMIT 1`,
      ]
    })
  })
}

/** A declared type's affinity, by SQLite's rules (datatype3.html, 3.1), in their order. */
function affinity(type: string): string {
  const t = type.toUpperCase()
  if (t.includes("INT")) return "INTEGER"
  if (/CHAR|CLOB|TEXT/.test(t)) return "TEXT"
  if (t.includes("BLOB") || t.trim() === "") return "BLOB"
  if (/REAL|FLOA|DOUB/.test(t)) return "REAL"
  return "NUMERIC"
}

/** Whether a failed statement is a rebuild's check that a type change kept every value. */
export function isValueGuard(statement: string): boolean {
  return statement.startsWith(VALUE_GUARD)
}

const VIEW_GUARD =
  "SELECT count(*) FROM sqlite_master v JOIN pragma_table_info(v.name) WHERE v.type = 'view' AND ("

/**
 * Fails when a view that names a rebuilt table no longer reads: it uses a column the rebuild dropped
 * or renamed. SQLite's own ALTER TABLE DROP COLUMN refuses that, as PostgreSQL does; a rebuild drops
 * and creates the table, which SQLite allows, leaving a view that fails when read and makes every later
 * ALTER TABLE ... RENAME in the database fail ("error in view"). Reading a view's columns parses it.
 */
function viewGuard(tables: readonly TableSchema[]): string {
  const mentions = tables.map((t) => `v.sql LIKE '%${t.name.replaceAll("'", "''")}%'`)
  return `${VIEW_GUARD}${mentions.join(" OR ")})`
}

/** Whether a failed statement is a rebuild's check of the views over its tables. */
export function isViewGuard(statement: string): boolean {
  return statement.startsWith(VIEW_GUARD)
}

const FOREIGN_KEY_CHECK = "pragma_foreign_key_check("

/**
 * Fails at once when a copied row breaks a foreign key: one the table held before (written while
 * foreign keys were off) comes back as it was. Deferred, it would fail the COMMIT instead, and a COMMIT
 * failing so leaves an embedded libSQL database locked for the rest of the process. The error is raised
 * by json() on a row the check returns: plain SQL has no other way to fail on a condition.
 */
function foreignKeyGuard(tables: readonly TableSchema[]): string {
  const checks = tables.map(
    (t) => `SELECT "table" FROM ${FOREIGN_KEY_CHECK}'${t.name.replaceAll("'", "''")}')`,
  )
  // Only where SQLite enforces foreign keys: with them off, the COMMIT checks nothing either.
  return `SELECT json('foreign key broken in ' || "table") FROM (${checks.join(" UNION ALL ")}) WHERE (SELECT foreign_keys FROM pragma_foreign_keys) = 1`
}

/** Whether a failed statement is a rebuild's foreign-key guard. */
export function isForeignKeyGuard(statement: string): boolean {
  return statement.startsWith("SELECT json('foreign key broken in ") && statement.includes(FOREIGN_KEY_CHECK)
}

/** Tables whose foreign keys reach `name`, directly or through other such tables. */
function referencingTables(name: string, schema: DatabaseSchema): TableSchema[] {
  const found = new Map<string, TableSchema>()
  const queue = [name]
  while (queue.length > 0) {
    const target = queue.shift() as string
    for (const table of schema.values()) {
      if (table.name === name || found.has(table.name)) continue
      if (table.foreignKeys.some((fk) => fk.referencedTable === target)) {
        found.set(table.name, table)
        queue.push(table.name)
      }
    }
  }
  return [...found.values()]
}

/** A name of the table's rowid that none of its columns takes (one that does hides the rowid). */
function rowidName(table: TableSchema): string | undefined {
  const taken = new Set(table.columns.map((c) => folded(c.name)))
  return ["rowid", "_rowid_", "oid"].find((name) => !taken.has(name))
}

/** Whether the table's key is AUTOINCREMENT, its highest id ever kept in sqlite_sequence. */
function keepsSequence(table: TableSchema): boolean {
  return rowidAlias(table)?.sqliteAutoincrement === true
}

/** The column that is the rowid, as SQLite decides: a sole primary key declared exactly INTEGER, not DESC. */
function rowidAlias(table: TableSchema): ColumnSchema | undefined {
  if (table.primaryKey.length !== 1) return undefined
  const key = table.columns.find((c) => c.name === table.primaryKey[0])
  const integer = key?.autoincrement || key?.type.toUpperCase() === "INTEGER"
  return key && integer && !key.descendingKey ? key : undefined
}
