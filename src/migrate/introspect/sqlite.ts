// SQLite's schema through its table-valued pragmas (one query each for columns, foreign keys and
// indexes over every table), plus the CREATE TABLE text for constraint names and CHECKs.
import type { ReferentialAction } from "../../sql/schema/column.ts"
import { conventionalName } from "../../sql/schema/constraints.ts"
import { text as sql } from "../../sql/text.ts"
import type { DatabaseSchema, ForeignKeySchema, TableSchema } from "../schema.ts"
import { folded } from "../sql-names.ts"
import { splitTopLevel, tableConstraints, unquote } from "../sqlite-table-sql.ts"
import { canonicalType } from "../types.ts"
import { type Introspection, type Rows, text, truthy } from "./index.ts"

// Plain tables only: a virtual table (FTS5, R*Tree) and the shadow tables that hold its data are made
// by hand, models declare none, and autogenerate must not offer to drop them.
const USER_TABLES =
  "m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND (SELECT t.type FROM pragma_table_list(m.name) t WHERE t.schema = 'main') = 'table'"

const TABLES = sql(`SELECT m.name, m.sql FROM sqlite_master m WHERE ${USER_TABLES} ORDER BY m.name`)
const COLUMNS = sql(`SELECT m.name, p.name, p.type, p."notnull", p.dflt_value, p.pk
FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE ${USER_TABLES} ORDER BY m.name, p.cid`)
const FOREIGN_KEYS = sql(`SELECT m.name, f.id, f."table", f."from", f."to", f.on_update, f.on_delete
FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE ${USER_TABLES} ORDER BY m.name, f.id, f.seq`)
/** The SQL a rebuild runs again as written: triggers, and indexes edgealchemy's DDL cannot write. */
const AS_WRITTEN = sql(
  "SELECT m.tbl_name, m.sql, m.type, m.name FROM sqlite_master m WHERE m.type IN ('trigger', 'index') AND m.sql IS NOT NULL ORDER BY m.name",
)
/** Each index's key columns, with their order and collation (index_info tells neither). */
const INDEXES = sql(`SELECT m.name, il.name, il."unique", il.origin, ii.name, il.partial, ii."desc", ii.coll
FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ii
WHERE ${USER_TABLES} AND ii."key" = 1 ORDER BY m.name, il.name, ii.seqno`)

type MutableTable = {
  -readonly [K in keyof TableSchema]: TableSchema[K] extends readonly (infer T)[] ? T[] : TableSchema[K]
}

export const sqliteIntrospection: Introspection = {
  statements: [TABLES, COLUMNS, FOREIGN_KEYS, INDEXES, AS_WRITTEN],
  parse(
    [tableRows = [], columns = [], foreignKeys = [], indexes = [], asWritten = []]: readonly Rows[],
    exclude,
  ) {
    const tables = new Map<string, MutableTable>()
    const createSql = new Map<string, string>()
    for (const [name, create] of tableRows) {
      tables.set(text(name), {
        name: text(name),
        columns: [],
        primaryKey: [],
        foreignKeys: [],
        uniques: [],
        checks: [],
        indexes: [],
      })
      createSql.set(text(name), text(create))
    }
    const keyPositions = new Map<string, [number, string][]>()
    /** Each column's type as declared, by table and column name. */
    const declaredTypes = new Map<string, string>()
    for (const [tableName, name, type, notNull, defaultSql, pk] of columns) {
      const target = tables.get(text(tableName))
      if (!target) continue
      declaredTypes.set(`${target.name}\u0000${text(name)}`, text(type))
      const position = Number(pk)
      if (position > 0)
        keyPositions.set(target.name, [...(keyPositions.get(target.name) ?? []), [position, text(name)]])
      target.columns.push({
        name: text(name),
        type: canonicalType(text(type)),
        nullable: !truthy(notNull) && position === 0,
        default: defaultSql === null ? undefined : defaultClause(text(defaultSql)),
        autoincrement: false,
      })
    }
    for (const [name, positions] of keyPositions) {
      const target = tables.get(name) as MutableTable
      target.primaryKey = positions.sort((a, b) => a[0] - b[0]).map(([, column]) => column)
      // A sole INTEGER key is the rowid alias: SQLite assigns it.
      const only =
        target.primaryKey.length === 1
          ? target.columns.find((c) => c.name === target.primaryKey[0])
          : undefined
      if (only?.type === "INTEGER") {
        // Only a key declared exactly INTEGER is the rowid: `INT PRIMARY KEY` (which the canonical type
        // spells INTEGER too) is a plain key beside a hidden rowid, and may hold NULLs and text. Its
        // spelling is kept, or a rebuild would make it the rowid, numbering its NULL keys and
        // renumbering the rows.
        const declared = declaredTypes.get(`${name}\u0000${only.name}`) ?? "INTEGER"
        if (!/^INTEGER$/i.test(declared.trim())) {
          target.columns[target.columns.indexOf(only)] = {
            ...only,
            type: declared.trim().toUpperCase().replace(/\s+/g, " "),
          }
        } else if (!indexes.some(([table, , , origin]) => text(table) === name && text(origin) === "pk")) {
          // With an index of its own (DESC, or WITHOUT ROWID) it is not the rowid either. SQLite takes
          // AUTOINCREMENT on this key only, in its definition or in PRIMARY KEY (id AUTOINCREMENT).
          const neverReused = /\bAUTOINCREMENT\b/i.test(withoutQuoted(createSql.get(name) ?? ""))
          target.columns[target.columns.indexOf(only)] = {
            ...only,
            autoincrement: true,
            ...(neverReused ? { sqliteAutoincrement: true as const } : {}),
          }
        }
      }
      // `PRIMARY KEY DESC` on a column, whatever its type, is written so again: declared INTEGER, it is
      // (a quirk SQLite keeps) no rowid but a plain key with an index of its own, and a rebuild back to
      // INTEGER from another type must not make it the rowid either.
      const key =
        target.primaryKey.length === 1
          ? target.columns.find((c) => c.name === target.primaryKey[0])
          : undefined
      if (key && descendingKey(name, indexes))
        target.columns[target.columns.indexOf(key)] = { ...key, descendingKey: true }
    }
    // SQLite matches table and column names ignoring ASCII case: a foreign key may spell its table
    // `Parent` for `parent`. It is read under the table's own spelling, so that a rebuild finds it.
    const byFoldedName = new Map([...tables.values()].map((table) => [folded(table.name), table]))
    for (const [name, create] of createSql) {
      const target = tables.get(name) as MutableTable
      const parsed = tableConstraints(create)
      target.checks = parsed.filter((c) => c.kind === "check").map((c) => ({ name: c.name, sql: c.body }))
      target.foreignKeys = foreignKeysOf(
        target,
        foreignKeys,
        parsed.filter((c) => c.kind === "foreign_key"),
        (referenced) => byFoldedName.get(folded(referenced)),
      )
      const uniqueNames = parsed.filter((c) => c.kind === "unique")
      // An unnamed one (`email TEXT UNIQUE`, as other tools write it) is known by the name models give
      // it, as an unnamed foreign key is, so that a revision can drop it; a rebuild writes it unnamed.
      const taken = new Set(parsed.flatMap((c) => (c.name ? [folded(c.name)] : [])))
      target.uniques = indexGroups(name, indexes)
        .filter((ix) => ix.origin === "u")
        .map((ix) => {
          const given = uniqueNames.find((u) => sameColumns(u.body, ix.columns))?.name
          const conventional = conventionalName("uq", name, ix.columns)
          if (given !== undefined || taken.has(folded(conventional)))
            return { name: given, columns: ix.columns }
          taken.add(folded(conventional))
          return { name: conventional, unnamed: true as const, columns: ix.columns }
        })
      // An index on an expression or a partial one is hand-made (models declare neither): autogenerate
      // leaves it alone rather than drop it, or write a downgrade that makes it of plain columns.
      target.indexes = indexGroups(name, indexes)
        .filter((ix) => ix.origin === "c" && !ix.beyondDdl)
        .map(({ name: indexName, unique, columns: cols }) => ({ name: indexName, unique, columns: cols }))
    }
    for (const [name, create] of createSql) {
      // A UNIQUE or PRIMARY KEY that compares under a collation (`UNIQUE (email COLLATE NOCASE)`) would
      // come back comparing bytes, letting in the duplicates it refused.
      const collatedKey = indexGroups(name, indexes).some((ix) => ix.origin !== "c" && ix.collated)
      const loses = [
        ...featuresBeyondDdl(create),
        ...(collatedKey ? ["a UNIQUE or PRIMARY KEY constraint's COLLATE"] : []),
      ]
      if (loses.length > 0) (tables.get(name) as MutableTable).rebuildLoses = loses
    }
    for (const [tableName, create, type, name] of asWritten) {
      const target = tables.get(text(tableName))
      if (!target && text(type) === "trigger") {
        // A trigger on a view (INSTEAD OF): it stays through a rebuild of the tables it names.
        for (const table of tables.values())
          if (folded(text(create)).includes(folded(table.name)))
            table.viewTriggers = [...(table.viewTriggers ?? []), { view: text(tableName), sql: text(create) }]
      }
      if (!target) continue
      if (text(type) === "trigger") target.triggers = [...(target.triggers ?? []), text(create)]
      else if (indexGroups(target.name, indexes).some((ix) => ix.name === text(name) && ix.beyondDdl))
        target.handMadeIndexes = [...(target.handMadeIndexes ?? []), { name: text(name), sql: text(create) }]
    }
    for (const name of exclude) tables.delete(name)
    return tables as DatabaseSchema
  },
}

function foreignKeysOf(
  table: TableSchema,
  rows: Rows,
  parsed: readonly { name: string | undefined; body: string }[],
  tableNamed: (name: string) => TableSchema | undefined,
): ForeignKeySchema[] {
  const byId = new Map<
    string,
    { refTable: string; from: string[]; to: string[]; onUpdate: string; onDelete: string }
  >()
  for (const [tableName, id, refTable, from, to, onUpdate, onDelete] of rows) {
    if (text(tableName) !== table.name) continue
    const entry = byId.get(text(id)) ?? {
      refTable: text(refTable),
      from: [],
      to: [],
      onUpdate: text(onUpdate),
      onDelete: text(onDelete),
    }
    entry.from.push(columnNamed(table, text(from)))
    entry.to.push(text(to))
    byId.set(text(id), entry)
  }
  const named = new Set<string>()
  const given = new Set(parsed.flatMap((p) => (p.name ? [folded(p.name)] : [])))
  return [...byId.values()].map((fk) => {
    const referenced = tableNamed(fk.refTable)
    // `REFERENCES parent` with no column list points at parent's primary key (SQLite reports NULL).
    const to =
      referenced && fk.to.every((column) => column === "")
        ? [...referenced.primaryKey]
        : fk.to.map((column) => (referenced ? columnNamed(referenced, column) : column))
    // Each constraint name once: two foreign keys over the same columns each get their own.
    const name = parsed.find((p) => p.name && !named.has(p.name) && sameColumns(p.body, fk.from))?.name
    if (name) named.add(name)
    // An unnamed key is known by the name models give it, so that a revision can drop it (a key left
    // beside the models' one kept its ON DELETE CASCADE); the rebuild writes it unnamed again.
    const conventional = conventionalName("fk", table.name, [...fk.from, referenced?.name ?? fk.refTable])
    const unnamed = name === undefined && !given.has(folded(conventional)) && !named.has(conventional)
    if (unnamed) named.add(conventional)
    return {
      ...(unnamed ? { name: conventional, unnamed: true as const } : { name }),
      columns: fk.from,
      referencedTable: referenced?.name ?? fk.refTable,
      referencedColumns: to,
      onDelete: action(fk.onDelete),
      onUpdate: action(fk.onUpdate),
    }
  })
}

/**
 * What a CREATE TABLE holds that edgealchemy's DDL cannot write, so that a rebuild would drop it:
 * read with quoted names and strings taken out, from the column definitions and the table's options.
 */
function featuresBeyondDdl(create: string): string[] {
  const open = create.indexOf("(")
  const close = create.lastIndexOf(")")
  const bare = withoutQuoted
  const found: string[] = []
  const options = bare(create.slice(close + 1))
  if (/\bWITHOUT\s+ROWID\b/i.test(options)) found.push("WITHOUT ROWID")
  if (/\bSTRICT\b/i.test(options)) found.push("STRICT")
  for (const clause of splitTopLevel(create.slice(open + 1, close))) {
    const definition = bare(clause).trim()
    // A deferred foreign key lets a transaction write children before parents; ON CONFLICT REPLACE
    // turns a duplicate into a delete. A rebuild without them would change what the app's writes do.
    if (/(?<!\bNOT\s+)\bDEFERRABLE\s+INITIALLY\s+DEFERRED\b/i.test(definition))
      found.push("a foreign key's DEFERRABLE INITIALLY DEFERRED")
    if (/\bON\s+CONFLICT\b/i.test(definition)) found.push("an ON CONFLICT clause")
    if (/^(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)\b/i.test(definition)) continue
    if (/\b(GENERATED\s+ALWAYS|AS\s*\()/i.test(definition)) found.push("a generated column")
    if (/\bCHECK\s*\(/i.test(definition)) found.push("a column's own CHECK")
    if (/\bCOLLATE\b/i.test(definition)) found.push("a column's COLLATE")
  }
  return found
}

/** SQL with its strings and quoted names taken out, so that only its words are read. */
function withoutQuoted(sql: string): string {
  return sql.replace(/'(?:''|[^'])*'|"(?:""|[^"])*"|`[^`]*`|\[[^\]]*\]/g, "?")
}

/** The table's own spelling of a column name written in another case; the name itself if none. */
function columnNamed(table: TableSchema, name: string): string {
  return table.columns.find((column) => folded(column.name) === folded(name))?.name ?? name
}

function indexGroups(table: string, rows: Rows) {
  const groups = new Map<
    string,
    {
      name: string
      unique: boolean
      origin: string
      columns: string[]
      beyondDdl: boolean
      /** A key column compares under another collation than BINARY (`UNIQUE (email COLLATE NOCASE)`). */
      collated: boolean
      /** A key column is in descending order. */
      descending: boolean
    }
  >()
  for (const [tableName, name, unique, origin, column, partial, descending, collation] of rows) {
    if (text(tableName) !== table) continue
    const group = groups.get(text(name)) ?? {
      name: text(name),
      unique: truthy(unique),
      origin: text(origin),
      columns: [],
      beyondDdl: false,
      collated: false,
      descending: false,
    }
    group.columns.push(text(column))
    // CREATE INDEX writes plain ascending columns: one DESC or COLLATE NOCASE is kept as written.
    group.beyondDdl ||= truthy(partial) || column === null || truthy(descending) || !binary(collation)
    group.collated ||= !binary(collation)
    group.descending ||= truthy(descending)
    groups.set(text(name), group)
  }
  return [...groups.values()]
}

const LITERAL_DEFAULT =
  /^(-?\d+(\.\d+)?|'([^']|'')*'|NULL|TRUE|FALSE|CURRENT_(TIME|DATE|TIMESTAMP)|X'[0-9a-f]*')$/i

/** SQLite reports an expression default without its parentheses, which DEFAULT requires back. */
function defaultClause(sql: string): string {
  return LITERAL_DEFAULT.test(sql.trim()) || sql.startsWith("(") ? sql : `(${sql})`
}

/** Whether the table's key has an index of its own (origin 'pk') over one column, descending. */
function descendingKey(table: string, rows: Rows): boolean {
  const key = indexGroups(table, rows).find((ix) => ix.origin === "pk")
  return key?.columns.length === 1 && key.descending
}

/** Whether an index column compares as SQLite does by default (pragma_index_xinfo's coll). */
function binary(collation: unknown): boolean {
  return collation === null || text(collation).toUpperCase() === "BINARY"
}

function action(value: string): ReferentialAction | undefined {
  return value === "" || value === "NO ACTION" ? undefined : (value as ReferentialAction)
}

/** Whether a clause's column list (`"a", b`) names exactly these columns, as SQLite compares names. */
function sameColumns(list: string, columns: readonly string[]): boolean {
  // Split as SQL is: a quoted name may hold a comma or a parenthesis.
  const names = splitTopLevel(list).map(unquote)
  return names.length === columns.length && names.every((n, i) => folded(n) === folded(columns[i] ?? ""))
}
