// PostgreSQL's catalog, current schema only: columns, constraints and plain indexes (one on an
// expression or a partial one is hand-made, models declare neither: autogenerate leaves it alone).
// A partition belongs to its partitioned table, which models may declare: it is no table of its own
// (autogenerate offered to drop each, rows and all, as a table not in the models). A foreign key to a
// table of another schema (Neon Auth's neon_auth.users_sync) is hand-made too: read by its table's
// bare name, its downgrade would have referenced a table of that name in this schema, or none.
// Lists come back as JSON text so that every transport returns the same strings.
import type { ReferentialAction } from "../../sql/schema/column.ts"
import { text as sql } from "../../sql/text.ts"
import type { ColumnSchema, DatabaseSchema, TableSchema } from "../schema.ts"
import { canonicalType } from "../types.ts"
import { type Introspection, type Rows, text, truthy } from "./index.ts"
import { portableCheck } from "./postgres-check.ts"

// A generated column's expression is in pg_attrdef too: it is no default (autogenerate proposed to drop
// it, which PostgreSQL refuses for a generated column, so the revision could never apply).
const COLUMNS = sql(`SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
  CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END, a.attidentity
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname, a.attnum`)

const CONSTRAINTS = sql(`SELECT c.relname, con.conname, con.contype,
  (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n)::text,
  (SELECT relname FROM pg_class WHERE oid = con.confrelid),
  (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n)::text,
  con.confdeltype, con.confupdtype, pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND con.contype IN ('p', 'u', 'f', 'c') AND NOT c.relispartition
  AND (con.contype <> 'f' OR (SELECT relnamespace FROM pg_class WHERE oid = con.confrelid) = n.oid)
ORDER BY c.relname, con.conname`)

// An index a unique or primary-key constraint owns is that constraint. A foreign key's conindid is the
// referenced table's unique index it relies on, which is an index all the same (models declare it).
// Only a plain index is read, one CREATE INDEX writes again as it was: a B-tree over columns, ascending,
// in their own collation and default operator class, with no INCLUDE columns or NULLS NOT DISTINCT.
// Another (hand-made, models declare none) is left alone: autogenerate dropped it, and its downgrade
// wrote a plain index, `UNIQUE (a) INCLUDE (b)` coming back as a unique over (a, b), which holds less.
const INDEXES = sql(`SELECT t.relname, i.relname, ix.indisunique,
  (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, i)
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n)::text
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND NOT t.relispartition AND NOT ix.indisprimary AND ix.indexprs IS NULL
  AND ix.indpred IS NULL
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.contype <> 'f')
  AND (SELECT amname FROM pg_am WHERE oid = i.relam) = 'btree' AND ix.indnkeyatts = ix.indnatts
  AND 0 = ALL (ix.indoption::int2[])
  AND NOT EXISTS (SELECT 1 FROM unnest(ix.indclass::oid[]) c(o) JOIN pg_opclass oc ON oc.oid = c.o WHERE NOT oc.opcdefault)
  AND NOT EXISTS (SELECT 1 FROM unnest(ix.indcollation::oid[], ix.indkey::int2[]) u(coll, n)
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = u.n WHERE u.coll <> 0 AND u.coll <> a.attcollation)
  AND pg_get_indexdef(ix.indexrelid) NOT LIKE '% NULLS NOT DISTINCT%'
ORDER BY t.relname, i.relname`)

const ACTIONS: Record<string, ReferentialAction | undefined> = {
  a: undefined,
  r: "RESTRICT",
  c: "CASCADE",
  n: "SET NULL",
  d: "SET DEFAULT",
}

type MutableTable = {
  -readonly [K in keyof TableSchema]: TableSchema[K] extends readonly (infer T)[] ? T[] : TableSchema[K]
}

export const postgresIntrospection: Introspection = {
  statements: [COLUMNS, CONSTRAINTS, INDEXES],
  parse([columns = [], constraints = [], indexes = []]: readonly Rows[], exclude) {
    const tables = new Map<string, MutableTable>()
    const table = (name: string) => {
      let found = tables.get(name)
      if (!found) {
        found = { name, columns: [], primaryKey: [], foreignKeys: [], uniques: [], checks: [], indexes: [] }
        tables.set(name, found)
      }
      return found
    }
    for (const [tableName, name, type, notNull, defaultSql, identity] of columns) {
      const isSerial = /^nextval\(/.test(text(defaultSql))
      const column: ColumnSchema = {
        name: text(name),
        type: canonicalType(text(type)),
        nullable: !truthy(notNull),
        default: defaultSql === null || isSerial ? undefined : text(defaultSql),
        autoincrement: text(identity) !== "" || isSerial,
      }
      table(text(tableName)).columns.push(column)
    }
    for (const [
      tableName,
      name,
      type,
      keys,
      refTable,
      refKeys,
      onDelete,
      onUpdate,
      definition,
    ] of constraints) {
      const target = table(text(tableName))
      const columnList = JSON.parse(text(keys) || "[]") as string[]
      switch (text(type)) {
        case "p":
          target.primaryKey = columnList
          break
        case "u":
          target.uniques.push({ name: text(name), columns: columnList })
          break
        case "c":
          target.checks.push({
            name: text(name),
            sql: portableCheck(checkCondition(text(definition)), textColumns(target)),
          })
          break
        case "f": {
          const beyond = text(definition).match(/\b(MATCH FULL|DEFERRABLE( INITIALLY DEFERRED)?)\b/g)
          target.foreignKeys.push({
            name: text(name),
            columns: columnList,
            referencedTable: text(refTable),
            referencedColumns: JSON.parse(text(refKeys) || "[]") as string[],
            onDelete: ACTIONS[text(onDelete)],
            onUpdate: ACTIONS[text(onUpdate)],
            ...(beyond ? { beyondDdl: beyond.join(" ") } : {}),
          })
        }
      }
    }
    for (const [tableName, name, unique, keys] of indexes) {
      table(text(tableName)).indexes.push({
        name: text(name),
        unique: truthy(unique),
        columns: JSON.parse(text(keys) || "[]") as string[],
      })
    }
    for (const name of exclude) tables.delete(name)
    return tables as DatabaseSchema
  },
}

/** The columns a CHECK compares as text, through PostgreSQL's `(name)::text` casts. */
function textColumns(table: TableSchema): Set<string> {
  return new Set(
    table.columns.filter((c) => /^(VARCHAR|TEXT|CHAR|CHARACTER)\b/.test(c.type)).map((c) => c.name),
  )
}

/** `CHECK ((age >= 0))` -> `(age >= 0)`. */
function checkCondition(definition: string): string {
  const match = /^CHECK \((.*)\)( NOT VALID)?$/s.exec(definition)
  return match ? (match[1] as string) : definition
}
