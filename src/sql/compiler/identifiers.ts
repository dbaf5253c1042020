// Identifier quoting shared by both dialects: bare when safe, else double-quoted with quotes doubled.

const SAFE = /^[a-z_][a-z0-9_]*$/

// Words either dialect refuses as a bare name: PostgreSQL's reserved keywords (pg_get_keywords(), catcode R
// and T), and the SQLite keywords that fail somewhere a name goes (a column definition, a table, a CTE).
const RESERVED = new Set(
  (
    "add all alter analyse analyze and any array as asc asymmetric authorization autoincrement between " +
    "binary both case cast check collate collation column commit concurrently constraint create cross " +
    "current_catalog current_date current_role current_schema current_time current_timestamp current_user " +
    "default deferrable delete desc distinct do drop else end escape except exists false fetch for foreign " +
    "freeze from full glob grant group having if ilike in index initially inner insert intersect into is " +
    "isnull join key lateral leading left like limit localtime localtimestamp match natural not nothing " +
    "notnull null offset on only or order outer overlaps placing pragma primary raise recursive references " +
    "regexp replace returning right row rows select session_user set similar some symmetric system_user " +
    "table tablesample then to trailing transaction true union unique update user using values variadic " +
    "verbose view when where window with"
  ).split(" "),
)

export function quoteIdentifier(name: string): string {
  let quoted = known.get(name)
  if (quoted === undefined) {
    quoted = SAFE.test(name) && !RESERVED.has(name) ? name : `"${name.replaceAll('"', '""')}"`
    // A schema's names are few; labels made on the fly could be many: keep the first thousand only.
    if (known.size < 1000) known.set(name, quoted)
  }
  return quoted
}

/** Names already quoted: a statement quotes the same table and column names again and again. */
const known = new Map<string, string>()
