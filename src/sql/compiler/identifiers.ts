// Identifier quoting: every name double-quoted (quotes doubled), as statements on both databases and
// printed SQL spell them; or, with a list of reserved words, bare where that is safe: the DDL of SQLite
// (CREATE TABLE text SQLite keeps as it is given, and migrations compare) and revisions' CHECK text,
// which read as people write them. (SQLite can read a double-quoted name that matches no column as a
// string literal; libSQL is built without that legacy behaviour: an unknown name is an error.)

const SAFE = /^[a-z_][a-z0-9_]*$/

/** Words as a set: `reservedWords(RESERVED, "more words")`, for a dialect's own list. */
export function reservedWords(base: ReadonlySet<string>, more: string): ReadonlySet<string> {
  return new Set([...base, ...more.split(" ")])
}

/**
 * Words both dialects refuse as a bare name (checked against PostgreSQL's reserved keywords,
 * pg_get_keywords() catcode R and T, and each SQLite keyword where a name goes: a column definition, a
 * table, a CTE). SQLite's compiler adds its own (../../dialects/sqlite/compiler.ts), as does the list
 * of PostgreSQL's that migrations use for the CHECK text they write (../../dialects/postgresql/keywords.ts).
 */
export const RESERVED: ReadonlySet<string> = /* @__PURE__ */ reservedWords(
  new Set(),
  "all analyze and as asc case cast check collate column constraint create cross current_date current_time " +
    "current_timestamp default deferrable desc distinct do else end except for foreign from full group having " +
    "in initially inner intersect into is isnull join left like limit natural not notnull null offset on or " +
    "order outer primary references returning right select table then to union unique using when where " +
    "window with",
)

/**
 * The SQLite keywords that fail where a name goes, beyond those PostgreSQL reserves too; and true and
 * false, which SQLite reads as its boolean literals wherever no column of that name is in scope.
 */
export const SQLITE_RESERVED: ReadonlySet<string> = /* @__PURE__ */ reservedWords(
  RESERVED,
  "add alter autoincrement between commit delete drop escape exists glob if index insert key match nothing " +
    "pragma raise recursive regexp replace row rows set transaction true false update values view",
)

/** `name` double-quoted, quotes inside doubled: how statements spell every name. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * A spelling of names that leaves them bare where that is safe and not one of `reserved`, for DDL and
 * revisions' text (a compiler's `quoteName` option). A schema's names are few and quoted again and
 * again: each is worked out once, up to a thousand (labels made on the fly could be many).
 */
export function bareWhereSafe(reserved: ReadonlySet<string>): (name: string) => string {
  const known = new Map<string, string>()
  return (name) => {
    let quoted = known.get(name)
    if (quoted === undefined) {
      quoted = SAFE.test(name) && !reserved.has(name) ? name : quoteIdentifier(name)
      if (known.size < 1000) known.set(name, quoted)
    }
    return quoted
  }
}
