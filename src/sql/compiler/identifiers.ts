// Identifier quoting shared by both dialects: bare when safe, else double-quoted with quotes doubled.

import { cached } from "../../util/cached.ts"

const SAFE = /^[a-z_][a-z0-9_]*$/

/** Words as a set: `reservedWords(RESERVED, "more words")`, for a dialect's own list. */
export function reservedWords(base: ReadonlySet<string>, more: string): ReadonlySet<string> {
  return new Set([...base, ...more.split(" ")])
}

/**
 * Words both dialects refuse as a bare name (checked against PostgreSQL's reserved keywords,
 * pg_get_keywords() catcode R and T, and each SQLite keyword where a name goes: a column definition, a
 * table, a CTE). Each dialect's compiler adds its own (../../dialects/{postgresql,sqlite}/compiler.ts), so a bundle
 * carries only its database's words; printed SQL (the default dialect) quotes these.
 */
export const RESERVED: ReadonlySet<string> = /* @__PURE__ */ reservedWords(
  new Set(),
  "all analyze and as asc case cast check collate column constraint create cross current_date current_time " +
    "current_timestamp default deferrable desc distinct do else end except for foreign from full group having " +
    "in initially inner intersect into is isnull join left like limit natural not notnull null offset on or " +
    "order outer primary references returning right select table then to union unique using when where " +
    "window with",
)

export function quoteIdentifier(name: string, reserved: ReadonlySet<string>): string {
  const known = cached(quotedBy, reserved, () => new Map<string, string>())
  let quoted = known.get(name)
  if (quoted === undefined) {
    quoted = SAFE.test(name) && !reserved.has(name) ? name : `"${name.replaceAll('"', '""')}"`
    // A schema's names are few; labels made on the fly could be many: keep the first thousand only.
    if (known.size < 1000) known.set(name, quoted)
  }
  return quoted
}

/** Names already quoted, by word list: a statement quotes the same table and column names again and again. */
const quotedBy = new WeakMap<ReadonlySet<string>, Map<string, string>>()
